/**
 * The relay under one failing ticket (issue 13): fifty messages queued behind a ticket whose sends
 * fail must not starve the other tickets, in either direction. Staff replies go through the customer
 * outbox and keep their receipts (✅ delivered, ❌ with the reason).
 */
import { describe, expect, it } from "vitest";
import type { RelayOutcome, StaffDesk, StaffRef, ThreadNote } from "../../src/support/StaffDesk";
import type { TicketCard } from "../../src/support/TicketCard";
import type { Address, OutboundMessage } from "../../src/core/message";
import { useTestApps, type TestApp } from "../helpers/testApp";
import { TicketOutbox } from "../../src/support/TicketOutbox";
import { silentLogger } from "../../src/core/log";
import type { Database } from "../../src/db/Database";

const start = useTestApps();

/** Records what the desk posts; posting into `failingCard`'s thread fails. */
class Staff implements StaffDesk {
  readonly name = "recording";
  readonly thread: { ref: StaffRef; note: ThreadNote }[] = [];
  readonly marks: { message: StaffRef; outcome: RelayOutcome }[] = [];
  failingCard: string | undefined;
  private n = 0;
  async postCard() { return { channel: "C1", ts: `card.${++this.n}` }; }
  async updateCard(_ref: StaffRef, _card: TicketCard) {}
  async postInThread(ref: StaffRef, note: ThreadNote) {
    if (ref.ts === this.failingCard) throw new Error("channel_not_found");
    this.thread.push({ ref, note });
    return { channel: "C1", ts: `msg.${++this.n}` };
  }
  async postFileInThread(ref: StaffRef, _file: unknown, note: ThreadNote) { return this.postInThread(ref, note); }
  async markRelayed(_card: StaffRef, message: StaffRef, outcome: RelayOutcome) { this.marks.push({ message, outcome }); }
}

async function ticketOf(t: TestApp, user: string) {
  await t.say(user, "operator");
  await t.say(user, `question from ${user}`);
  await t.app.support.outbox.flush();
  const { contactId } = await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: user } });
  return t.app.db.prisma.ticket.findFirstOrThrow({ where: { contactId } });
}

describe("ticket relay", () => {
  it("fifty staff replies to a customer who cannot be reached do not hold up another ticket's reply; receipts mark both", async () => {
    const t = await start({ outbox: { retryDelaysMs: [60_000] } });
    const staff = new Staff();
    t.app.support.attachStaff(staff);
    const stuck = await ticketOf(t, "stuck");
    const free = await ticketOf(t, "free");
    const send = t.channel.send.bind(t.channel);
    t.channel.send = async (to: Address, message: OutboundMessage) => {
      if (to.externalUserId === "stuck") throw Object.assign(new Error("502 Bad Gateway"), { transient: true });
      return send(to, message);
    };
    for (let i = 0; i < 55; i++) {
      await t.app.support.fromStaff({ card: { channel: "C1", ts: stuck.cardRef! }, message: { channel: "C1", ts: `s${i}` }, staffUserId: "U1", text: `reply ${i}` });
    }
    await t.app.support.fromStaff({ card: { channel: "C1", ts: free.cardRef! }, message: { channel: "C1", ts: "f1" }, staffUserId: "U2", text: "here you go" });
    expect(t.channel.sent.filter((s) => s.to.externalUserId === "free").map((s) => s.message.text)).toContain("here you go");
    expect(await t.app.db.prisma.ticketMessage.findFirstOrThrow({ where: { staffRef: "f1" } })).toMatchObject({ status: "delivered", attempts: 1 });
    expect(staff.marks.find((m) => m.message.ts === "f1")?.outcome).toEqual({ kind: "delivered" });
    // The stuck ticket's first reply failed once (❌, will retry); the others wait behind it, unsent.
    expect(staff.marks.find((m) => m.message.ts === "s0")?.outcome).toMatchObject({ kind: "failed", willRetry: true, reason: "502 Bad Gateway" });
    expect(await t.app.db.prisma.ticketMessage.count({ where: { ticketId: stuck.id, direction: "to_customer", status: "queued" } })).toBe(55);
    expect(t.channel.sent.some((s) => s.to.externalUserId === "stuck" && /reply/.test(s.message.text))).toBe(false);
  });

  it("fifty customer messages behind a thread Slack refuses do not hold up another ticket's thread", async () => {
    const t = await start();
    const staff = new Staff();
    t.app.support.attachStaff(staff);
    const stuck = await ticketOf(t, "loud");
    await ticketOf(t, "quiet");
    staff.failingCard = stuck.cardRef!;
    for (let i = 0; i < 55; i++) await t.say("loud", `message ${i}`);
    await t.say("quiet", "just one question");
    await t.app.support.outbox.flush();
    expect(staff.thread.map((x) => x.note.text)).toContain("just one question");
    expect(await t.app.db.prisma.ticketMessage.count({ where: { ticketId: stuck.id, direction: "to_staff", status: "pending" } })).toBe(55);
  });

  it("two instances passing at once post a customer's message in the thread once (the head is claimed as it is read)", async () => {
    const t = await start();
    // Instance A: the app's own relay, whose Slack post hangs until released (A holds the lease meanwhile).
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let posting!: () => void;
    const aPosting = new Promise<void>((r) => (posting = r));
    const a = new Staff();
    const post = a.postInThread.bind(a);
    a.postInThread = async (ref, note) => { if (note.text === "where is it?") { posting(); await gate; } return post(ref, note); };
    t.app.support.attachStaff(a);
    await ticketOf(t, "olga");
    await t.say("olga", "where is it?");
    // Instance B on the same database: right after its first look at the heads, A passes too.
    const b = new Staff();
    let interleaved = false;
    const db: Database = { ...t.app.db, query: async (statement) => {
      const rows = await t.app.db.query(statement);
      if (!interleaved && statement.sql.includes("FROM ticket_messages m")) {
        interleaved = true;
        // A passes now: it either takes the message and starts posting, or finds it taken already.
        await Promise.race([aPosting, t.app.support.outbox.flush()]);
      }
      return rows;
    } };
    const other = new TicketOutbox(db, { downloadFile: async () => { throw new Error("no files here"); }, channelNames: () => ["test"], outbox: t.app.engine.outbox }, () => b, silentLogger);
    await other.flush();
    release();
    await t.app.support.outbox.flush();
    const posts = [...a.thread, ...b.thread].filter((x) => x.note.text === "where is it?");
    expect(posts).toHaveLength(1);
  });

  it("an instance killed while posting strands only the message it was posting; the others' heads go to another instance soon", async () => {
    const t = await start();
    const a = new Staff();
    t.app.support.attachStaff(a);
    for (const user of ["pia", "quinn", "rex"]) await ticketOf(t, user);
    for (const user of ["pia", "quinn", "rex"]) await t.say(user, `from ${user}`);
    // Instance A claims the heads, then hangs on its first post for ever (killed -9 there).
    const hung = new Staff();
    let posting!: () => void;
    const started = new Promise<void>((r) => (posting = r));
    hung.postInThread = async () => { posting(); return new Promise(() => {}); };
    const line = { downloadFile: async () => { throw new Error("no files here"); }, channelNames: () => ["test"], outbox: t.app.engine.outbox };
    const dead = new TicketOutbox(t.app.db, line, () => hung, silentLogger, { claimMs: 200 });
    void dead.flush();
    await started;
    await new Promise((r) => setTimeout(r, 300)); // A's claim on the heads it had not reached ran out
    const b = new Staff();
    await new TicketOutbox(t.app.db, line, () => b, silentLogger, { claimMs: 200 }).flush();
    expect(b.thread.map((x) => x.note.text).sort()).toHaveLength(2); // the two A never reached; the third waits out A's lease
  });

  it("a staff reply sent just before a kill -9 lost its receipt: the sweeper settles it from the outbox (delivered, ✅) instead of leaving it queued", async () => {
    const t = await start();
    const staff = new Staff();
    t.app.support.attachStaff(staff);
    const ticket = await ticketOf(t, "sol");
    await t.app.support.fromStaff({ card: { channel: "C1", ts: ticket.cardRef! }, message: { channel: "C1", ts: "k1" }, staffUserId: "U1", text: "on its way" });
    expect(t.channel.sent.map((s) => s.message.text)).toContain("on its way");
    // The process sent it and committed the outbox's "sent", then died before its receipt was written.
    await t.app.db.prisma.ticketMessage.updateMany({ where: { staffRef: "k1" }, data: { status: "queued", deliveredAt: null } });
    staff.marks.length = 0;
    await t.app.sweeper.tick(new Date(Date.now() + 30_000)); // too soon: a live receipt may still come
    expect((await t.app.db.prisma.ticketMessage.findFirstOrThrow({ where: { staffRef: "k1" } })).status).toBe("queued");
    const counts = await t.app.sweeper.tick(new Date(Date.now() + 120_000));
    expect(counts["support.receipts"]).toBe(1);
    expect((await t.app.db.prisma.ticketMessage.findFirstOrThrow({ where: { staffRef: "k1" } })).status).toBe("delivered");
    expect(staff.marks).toEqual([{ message: { channel: "C1", ts: "k1" }, outcome: { kind: "delivered" } }]);
    expect(t.channel.sent.filter((s) => s.message.text === "on its way")).toHaveLength(1); // not sent again
  });
});
