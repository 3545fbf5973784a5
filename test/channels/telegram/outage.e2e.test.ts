/**
 * Issue 13, item 2: an update that cannot be stored is never confirmed. The database goes away for
 * longer than DB_RETRY_SECONDS (PostgreSQL: a TcpProxy taken down; SQLite: another connection
 * holding the write lock), a customer writes twice meanwhile, and once it is back each message is
 * stored and answered exactly once, in order. Polling never sends Telegram an offset past an
 * unstored update; a webhook answers 500 until the update is stored, so Telegram posts it again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startOutage, type Outage } from "../../helpers/outage";
import { useTelegramApps } from "../../helpers/telegramApp";

// Outages end after the apps are closed (after-hooks run last-registered first): an app closed while
// its database is still away would retry its last writes until the hook times out.
const outages: Outage[] = [];
afterEach(async () => { for (const o of outages.splice(0)) await o.close(); });
const startApp = useTelegramApps();

describe("Telegram intake during a database outage (issue 13, item 2)", () => {
  it("polling: updates that could not be stored are not confirmed, and are stored and answered once, in order, when the database is back", async () => {
    const o = await startOutage();
    outages.push(o);
    const t = await startApp({ mode: "polling", dbRetrySeconds: 1, polling: { pauseMs: 100 }, databaseUrl: o.url });
    const ann = t.telegram.customer(4001, { language_code: "en" });
    await ann.send("/help");
    await ann.waitForMessages(1);

    await o.begin();
    const first = await ann.send("/help");
    const second = await ann.send("/balance");
    await t.telegram.waitFor("the store failure", () => t.logs.some((l) => /could not be stored/.test(l.msg)), 15_000);
    await new Promise((r) => setTimeout(r, 1200)); // past the retry budget again: still nothing confirmed
    const offsets = () => t.telegram.callsOf("getUpdates").map((c) => Number(c.offset ?? 0));
    expect(Math.max(...offsets())).toBeLessThanOrEqual(first.update_id);
    expect(ann.texts()).toHaveLength(1);

    await o.end();
    const texts = await ann.waitForMessages(5, 15_000); // /help again, then /balance's three messages
    await new Promise((r) => setTimeout(r, 500));
    expect(ann.texts()).toHaveLength(5); // each answered once
    expect(texts[1]).toBe(texts[0]);
    expect(texts[2]).toMatch(/0 points/); // /balance answered after /help
    const inbound = (await t.history(4001)).filter((e) => e.direction === "in");
    expect(inbound.map((e) => e.text)).toEqual(["/help", "/help", "/balance"]);
    await t.telegram.waitFor("both confirmed", () => Math.max(...offsets()) > second.update_id);
  }, 60_000);

  it("webhook: an update that could not be stored is answered 500, and Telegram's retry is stored and answered once", async () => {
    const o = await startOutage();
    outages.push(o);
    const t = await startApp({ mode: "webhook", dbRetrySeconds: 1, databaseUrl: o.url });
    const bo = t.telegram.customer(4002, { language_code: "en" });
    await o.begin();
    setTimeout(() => void o.end(), 1800);
    const update = await bo.send("/help");
    await bo.waitForMessages(1, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const statuses = t.telegram.posts.filter((p) => p.updateId === update.update_id).map((p) => p.status);
    expect(statuses[0]).toBe(500);
    expect(statuses.at(-1)).toBe(200);
    expect(bo.texts()).toHaveLength(1);
    expect((await t.history(4002)).filter((e) => e.direction === "in")).toHaveLength(1);
  }, 60_000);
});
