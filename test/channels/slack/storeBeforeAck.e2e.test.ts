/**
 * Issue 13, item 2, Slack side: a staff reply is acknowledged only once it is stored. HTTP mode
 * (Bolt's processBeforeResponse) answers 500 when it could not be stored, Socket Mode leaves the
 * envelope unacknowledged; Slack's redelivery is then stored and relayed once (deduplicated by the
 * message's ts). Replies in one thread are stored in the order Slack sent them, even when the first
 * one takes longer to store.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DatabaseUnavailableError } from "../../../src/core/errors";
import type { DeliveryReceipt } from "../../../src/core/Channel";
import type { StaffMessage } from "../../../src/support/SupportDesk";
import { testDialect } from "../../helpers/database";
import { messageEvent } from "../../helpers/fakeSlack";
import { startOutage, type Outage } from "../../helpers/outage";
import { SUPPORT_CHANNEL, useSupportApps, type SupportTestApp } from "../../helpers/supportApp";

// Outages end after the apps are closed (after-hooks run last-registered first): an app closed while
// its database is still away would retry its last writes until the hook times out.
const outages: Outage[] = [];
afterEach(async () => { for (const o of outages.splice(0)) await o.close(); });
const start = useSupportApps();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Escalates a customer through the support flow; resolves with the customer and the card's ts. */
async function escalate(t: SupportTestApp, id: number) {
  const customer = t.telegram.customer(id, { first_name: "Olga", language_code: "en" });
  await customer.send("operator");
  await customer.waitForMessages(1);
  await customer.send("My parcel never arrived");
  await customer.waitForMessages(2);
  for (let i = 0; i < 500; i++) {
    const ticket = await t.app.db.prisma.ticket.findFirst({ orderBy: { createdAt: "desc" } });
    if (ticket?.cardRef && !ticket.cardRef.startsWith("posting:")) return { customer, ts: ticket.cardRef };
    await sleep(10);
  }
  throw new Error("no card posted");
}

let nextTs = 1;
function event(threadTs: string, text: string) {
  return messageEvent({ channel: SUPPORT_CHANNEL, user: "UANNA", text, ts: `1800000100.${String(nextTs++).padStart(6, "0")}`, threadTs });
}

/** Staff replies stored for customers so far. */
const stored = (t: SupportTestApp) => t.app.db.prisma.ticketMessage.count({ where: { direction: "to_customer" } });

/**
 * The next staff messages cannot be stored until the returned function is called. PostgreSQL: the
 * database is really away (the proxy down, past DB_RETRY_SECONDS). SQLite: the desk gives the
 * verdict its retries would give (a write lock would stall Prisma's synchronous SQLite connection, and the test with it).
 */
async function storeFails(t: SupportTestApp, o: Outage): Promise<() => Promise<void>> {
  if (testDialect === "postgresql") {
    await o.begin();
    return () => o.end();
  }
  const desk = t.app.support;
  const real = desk.fromStaff;
  desk.fromStaff = async () => { throw new DatabaseUnavailableError(9, Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" })); };
  return async () => { desk.fromStaff = real; };
}

describe("Slack staff replies are stored before they are acknowledged (issue 13)", () => {
  it("HTTP mode: a reply that could not be stored gets 500; Slack's retry is stored before its 200 and relayed once", async () => {
    const o = await startOutage();
    outages.push(o);
    const t = await start({ databaseUrl: o.url, dbRetrySeconds: 1 });
    const { customer, ts } = await escalate(t, 701);
    const reply = { json: event(ts, "Your parcel is on its way") };
    const restore = await storeFails(t, o);
    expect((await t.post(reply)).status).toBe(500);
    await restore();
    expect(await stored(t)).toBe(0);
    expect((await t.post(reply, { retryNum: 1 })).status).toBe(200);
    expect(await stored(t)).toBe(1); // stored by the time Slack has its 200
    expect((await t.post(reply, { retryNum: 2 })).status).toBe(200); // a redelivery: recognised by its ts
    const texts = await customer.waitForMessages(3);
    await sleep(300);
    expect(customer.texts()).toHaveLength(3);
    expect(texts[2]).toBe("Your parcel is on its way");
    expect(await stored(t)).toBe(1);
    expect(t.slack!.callsTo("reactions.add").some((r) => r.name === "x")).toBe(false);
  }, 60_000); // an escalation and an outage: slow on a loaded machine

  it("Socket Mode: a reply that could not be stored is left unacknowledged; the redelivery is acknowledged once stored", async () => {
    const o = await startOutage();
    outages.push(o);
    const t = await start({ mode: "socket", databaseUrl: o.url, dbRetrySeconds: 1 });
    const slack = t.slack!;
    await slack.waitFor(() => slack.socketMode.connections === 1);
    const { customer, ts } = await escalate(t, 702);
    const payload = event(ts, "Checking with the courier");
    const restore = await storeFails(t, o);
    await expect(slack.socketMode.send("events_api", payload, 3000)).rejects.toThrow(/not acknowledged/);
    await restore();
    await slack.waitFor(() => slack.socketMode.connections === 1, 10_000);
    await slack.socketMode.send("events_api", payload, 8000, 1);
    expect(await stored(t)).toBe(1);
    await customer.waitForMessages(3);
    await slack.socketMode.send("events_api", payload, 8000, 2);
    await sleep(300);
    expect(customer.texts()).toEqual([expect.any(String), expect.any(String), "Checking with the courier"]);
    expect(await stored(t)).toBe(1);
  }, 60_000); // an escalation and an outage: slow on a loaded machine

  it("two replies sent back to back reach the customer in the order Slack sent them, though the first is slower to store", async () => {
    const t = await start();
    const { customer, ts } = await escalate(t, 703);
    const desk = t.app.support;
    const real = desk.fromStaff.bind(desk);
    let first = true;
    desk.fromStaff = async (m: StaffMessage, receipt?: DeliveryReceipt) => {
      if (first) { first = false; await sleep(400); } // e.g. a lock or a reconnect in the way
      return real(m, receipt);
    };
    const one = t.post({ json: event(ts, "one") });
    await sleep(50);
    const two = t.post({ json: event(ts, "two") });
    expect((await Promise.all([one, two])).map((r) => r.status)).toEqual([200, 200]);
    const texts = await customer.waitForMessages(4);
    expect(texts.slice(2)).toEqual(["one", "two"]);
    const rows = await t.app.db.prisma.ticketMessage.findMany({ where: { direction: "to_customer" }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => r.text)).toEqual(["one", "two"]);
  });
});
