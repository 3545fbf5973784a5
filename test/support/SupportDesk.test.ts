import { describe, expect, it } from "vitest";
import type { RelayOutcome, StaffDesk, StaffRef, ThreadNote } from "../../src/support/StaffDesk";
import type { TicketCard } from "../../src/support/TicketCard";
import type { MediaFile } from "../../src/core/Channel";
import { runTickets } from "../../src/cli/tickets";
import { useTestApps, type TestApp } from "../helpers/testApp";
import { isNotStored } from "../../src/core/StoreOrder";

const start = useTestApps();

/** A staff desk that records what the support desk asks of it; `down` makes every call fail. */
class RecordingStaff implements StaffDesk {
  readonly name = "recording";
  readonly cards: TicketCard[] = [];
  readonly updates: TicketCard[] = [];
  readonly thread: { ref: StaffRef; note: ThreadNote; file?: MediaFile }[] = [];
  readonly marks: { message: StaffRef; outcome: RelayOutcome }[] = [];
  down = false;
  private n = 0;
  private check() { if (this.down) throw new Error("slack is down"); }
  async postCard(card: TicketCard) { this.check(); this.cards.push(card); return { channel: "C1", ts: `card.${++this.n}` }; }
  async updateCard(_ref: StaffRef, card: TicketCard) { this.check(); this.updates.push(card); }
  async postInThread(ref: StaffRef, note: ThreadNote) { this.check(); this.thread.push({ ref, note }); return { channel: "C1", ts: `msg.${++this.n}` }; }
  async postFileInThread(ref: StaffRef, file: MediaFile, note: ThreadNote) { this.check(); this.thread.push({ ref, note, file }); return { channel: "C1", ts: `file.${++this.n}` }; }
  async markRelayed(_card: StaffRef, message: StaffRef, outcome: RelayOutcome) { this.check(); this.marks.push({ message, outcome }); }
}

function output() {
  let text = "";
  return { stream: { write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WritableStream, text: () => text };
}

async function escalate(t: TestApp, user: string, question: string) {
  await t.say(user, "operator");
  return t.say(user, question);
}

describe("support desk", () => {
  it("without Slack opens the ticket, tells the customer support is offline, keeps the bot answering and lists the queue", async () => {
    const t = await start();
    const replies = await escalate(t, "ann", "Where is my refund?");
    expect(replies.map((r) => r.text).join("\n")).toMatch(/offline right now/);
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow();
    expect(ticket).toMatchObject({ status: "open", question: "Where is my refund?", reason: "asked_for_person", channel: "test", cardRef: null });
    expect((await t.say("ann", "/help"))[0]!.text).toMatch(/Here is what I can do/); // the bot still answers
    const out = output();
    await runTickets(t.app.db, { all: false, json: false }, out.stream);
    expect(out.text()).toContain(ticket.id);
    expect(out.text()).toContain("Where is my refund?");
    expect(out.text()).toContain("(not in Slack yet)");
    expect(out.text()).toMatch(/1 waiting for a person, 0 being handled/);
    const json = output();
    await runTickets(t.app.db, { all: false, json: true }, json.stream);
    expect(JSON.parse(json.text())[0]).toMatchObject({ id: ticket.id, status: "open", postedToStaff: false });
  });

  it("a question that asks for a person goes straight to a ticket; an FAQ miss offers one", async () => {
    const t = await start();
    const asked = await t.say("bo", "Can I talk to an operator about my order?");
    expect(asked.map((r) => r.text).join("\n")).toMatch(/offline right now/);
    expect((await t.app.db.prisma.ticket.findFirstOrThrow()).reason).toBe("asked_for_person");
    const miss = await t.say("cy", "Can I bring my dog to your office?");
    expect(miss.at(-1)!.text).toMatch(/Shall I pass your question to a person/);
    await t.say("cy", { kind: "choice", value: "yes" });
    const tickets = await t.app.db.prisma.ticket.findMany({ orderBy: { createdAt: "asc" } });
    expect(tickets.map((x) => x.reason)).toEqual(["asked_for_person", "faq_miss"]);
    expect(tickets[1]!.question).toBe("Can I bring my dog to your office?");
  });

  it("queues tickets while Slack is down and posts their cards, then the customer's messages in order, once it is back", async () => {
    const t = await start();
    const staff = new RecordingStaff();
    staff.down = true;
    t.app.support.attachStaff(staff);
    const replies = await escalate(t, "dee", "x".repeat(700));
    expect(replies.at(-1)!.text).toMatch(/a person will answer here soon/);
    expect(await t.say("dee", "first")).toEqual([]); // the bot says nothing while a person has the chat
    expect(await t.say("dee", "second")).toEqual([]);
    await t.app.support.outbox.flush();
    expect(staff.cards).toHaveLength(0);
    expect((await t.app.db.prisma.ticket.findFirstOrThrow()).cardRef).toBeNull(); // the claim was released
    staff.down = false;
    await t.app.support.outbox.flush();
    expect(staff.cards).toHaveLength(1);
    expect(staff.cards[0]!.questionTruncated).toBe(true);
    expect([...staff.cards[0]!.question]).toHaveLength(500);
    expect(staff.thread.map((x) => x.note.kind === "customer" ? x.note.text : x.note.text)).toEqual(["x".repeat(700), "first", "second"]);
    await t.app.support.outbox.flush();
    expect(staff.cards).toHaveLength(1); // posted once
    expect(await t.app.db.prisma.ticketMessage.count({ where: { status: "delivered" } })).toBe(2);
  });

  it("opens one ticket per customer however often they ask, and relays a redelivered message once", async () => {
    const t = await start();
    const staff = new RecordingStaff();
    t.app.support.attachStaff(staff);
    await escalate(t, "eve", "help");
    const contact = await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: "eve" } });
    const again = await Promise.all(Array.from({ length: 5 }, (_, i) => t.app.support.open({ contactId: contact.contactId, question: "again", reason: "flow", key: `k${i}` })));
    expect(again.every((o) => o.existing)).toBe(true);
    expect(await t.app.db.prisma.ticket.count()).toBe(1);
    await t.say("eve", "once", { dedupeKey: "test:update:1" });
    await t.say("eve", "once", { dedupeKey: "test:update:1" });
    await t.app.support.outbox.flush();
    expect(staff.thread.filter((x) => x.note.kind === "customer" && x.note.text === "once")).toHaveLength(1);
  });

  it("asked again while an offline ticket waits: the new text joins that ticket's thread once Slack is there, and a re-run of the step adds nothing", async () => {
    const t = await start();
    await escalate(t, "fay", "My parcel arrived damaged");
    const replies = await escalate(t, "fay", "The box was wet too");
    expect(replies.at(-1)!.text).toMatch(/already waiting for a person/);
    expect(await t.app.db.prisma.ticket.count()).toBe(1);
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow();
    const rerun = await t.app.support.open({ contactId: ticket.contactId, question: "My parcel arrived damaged", reason: "flow", key: ticket.idempotencyKey! });
    expect(rerun.existing).toBe(false); // the step that opened it, run again: not "already waiting"
    for (let i = 0; i < 2; i++) await t.app.support.open({ contactId: ticket.contactId, question: "Also the label was torn", reason: "flow", key: "ticket:same-step" });
    const staff = new RecordingStaff();
    t.app.support.attachStaff(staff);
    await t.app.support.outbox.flush();
    expect(staff.cards.map((c) => c.question)).toEqual(["My parcel arrived damaged"]);
    expect(staff.thread.map((x) => x.note.text)).toEqual(["The box was wet too", "Also the label was torn"]);
  });

  it("a second resolve does nothing; concurrent claims leave one assignee", async () => {
    const t = await start();
    const staff = new RecordingStaff();
    t.app.support.attachStaff(staff);
    await escalate(t, "fay", "help");
    await t.app.support.outbox.flush();
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow();
    await Promise.all(["U1", "U2", "U3"].map((u) => t.app.support.claim(ticket.id, u)));
    const claimed = await t.app.db.prisma.ticket.findFirstOrThrow();
    expect(claimed.status).toBe("claimed");
    expect(["agent:U1", "agent:U2", "agent:U3"]).toContain(claimed.assignee);
    const results = await Promise.all([t.app.support.resolve(ticket.id, "U1"), t.app.support.resolve(ticket.id, "U2")]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const history = await t.history("fay");
    expect(history.filter((h) => h.kind === "ticket.resolved")).toHaveLength(1);
    expect(t.channel.sent.filter((s) => /resolved/.test(s.message.text))).toHaveLength(1);
  });

  it("while a person has the chat, events such as a tier change stay silent", async () => {
    const t = await start();
    t.app.support.attachStaff(new RecordingStaff());
    await escalate(t, "gus", "help");
    const contact = await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: "gus" } });
    const before = t.channel.sent.length;
    await t.app.engine.emit(contact.contactId, "loyalty.tier_changed", { tier: "star", from: "novice", multiplier: 1.5 });
    expect(t.channel.sent.length).toBe(before);
    expect((await t.history("gus")).some((h) => h.kind === "event.skipped")).toBe(true);
  });

  it("after a claim, the word \"cancel\" is an answer for staff; /cancel still stops the ticket", async () => {
    const t = await start();
    const staff = new RecordingStaff();
    t.app.support.attachStaff(staff);
    await escalate(t, "hal", "my order");
    await t.app.support.outbox.flush();
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow();
    await t.app.support.fromStaff({ card: { channel: "C1", ts: ticket.cardRef! }, message: { channel: "C1", ts: "s1" }, staffUserId: "U1", text: "Cancel or exchange?" });
    expect(await t.say("hal", "Cancel")).toEqual([]);
    await t.app.support.outbox.flush();
    expect(staff.thread.some((x) => x.note.kind === "customer" && x.note.text === "Cancel")).toBe(true);
    expect((await t.app.db.prisma.ticket.findFirstOrThrow()).status).toBe("claimed");
    const sent = t.channel.sent.length;
    await t.app.support.fromStaff({ card: { channel: "C1", ts: ticket.cardRef! }, message: { channel: "C1", ts: "s2" }, staffUserId: "U1", text: "", attachments: 1 });
    expect(staff.thread.at(-1)!.note.text).toMatch(/Files are not passed on to the customer/);
    expect(t.channel.sent.length).toBe(sent); // an empty text is never queued
    const stopped = await t.say("hal", "/cancel");
    expect(stopped.map((r) => r.text).join("\n")).toMatch(/cancelled your request/);
    expect((await t.app.db.prisma.ticket.findFirstOrThrow()).status).toBe("cancelled");
  });

  it("a ticket closed before Slack could show it still gets its card, with what the customer wrote", async () => {
    const t = await start();
    const staff = new RecordingStaff();
    staff.down = true;
    t.app.support.attachStaff(staff);
    await escalate(t, "ida", "where is it");
    await t.say("ida", "hello?");
    await t.say("ida", "/cancel");
    await t.app.support.outbox.flush();
    staff.down = false;
    await t.app.support.outbox.flush();
    expect(staff.cards).toHaveLength(1);
    expect(staff.cards[0]!.status).toBe("cancelled");
    expect(staff.thread.map((x) => x.note.text)).toContain("hello?");
    expect(await t.app.db.prisma.ticketMessage.count({ where: { direction: "to_staff", status: "pending" } })).toBe(0);
  });

  it("a ticket queued while support was offline goes to a person when the customer asks again online; offline tickets get no 'busy' reminder", async () => {
    const t = await start();
    await escalate(t, "jon", "refund please");
    expect(await t.app.support.remindUnanswered(new Date(Date.now() + 60 * 60_000))).toBe(0);
    const staff = new RecordingStaff();
    t.app.support.attachStaff(staff);
    const again = await t.say("jon", "/support");
    await t.say("jon", "still waiting for my refund");
    expect(again.length).toBeGreaterThan(0);
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow();
    expect((await t.app.db.prisma.contact.findUniqueOrThrow({ where: { id: ticket.contactId } })).openTicketId).toBe(ticket.id);
    expect(await t.app.db.prisma.ticket.count()).toBe(1);
    await t.app.support.outbox.flush();
    expect(staff.cards).toHaveLength(1);
  });

  it("a staff reply to a ticket closed a moment ago is refused in the thread and not sent", async () => {
    const t = await start();
    const staff = new RecordingStaff();
    t.app.support.attachStaff(staff);
    await escalate(t, "kay", "help");
    await t.app.support.outbox.flush();
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow();
    await t.app.support.resolve(ticket.id, "U1");
    const sent = t.channel.sent.length;
    await t.app.support.fromStaff({ card: { channel: "C1", ts: ticket.cardRef! }, message: { channel: "C1", ts: "late" }, staffUserId: "U2", text: "one more thing" });
    expect(t.channel.sent.length).toBe(sent);
    expect(staff.thread.at(-1)!.note.text).toMatch(/This ticket is resolved; that message was not sent/);
    expect((await t.app.db.prisma.contact.findUniqueOrThrow({ where: { id: ticket.contactId } })).openTicketId).toBeNull();
  });

  it("a staff reply in a card's thread before the card is recorded is not stored and not acknowledged, and is stored when Slack sends it again", async () => {
    const t = await start();
    // Slack has the card (its ts is known to staff) while Rapport has not recorded it yet: a slow
    // write after the post, or the instance killed right after posting it.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const staff = new RecordingStaff();
    const postCard = staff.postCard.bind(staff);
    let posted!: (ts: string) => void;
    const cardTs = new Promise<string>((r) => (posted = r));
    staff.postCard = async (card) => { const ref = await postCard(card); posted(ref.ts); await gate; return ref; };
    t.app.support.attachStaff(staff);
    t.app.support.outbox.start();
    await escalate(t, "val", "Where is my parcel?");
    const ts = await cardTs;
    const reply = { card: { channel: "C1", ts }, message: { channel: "C1", ts: "r1" }, staffUserId: "U1", text: "Checking now" };
    const first = await t.app.support.fromStaff(reply).then(() => undefined, (error: unknown) => error);
    expect(isNotStored(first)).toBe(true); // Slack gets no acknowledgement and sends it again
    expect((first as Error).message).toMatch(/not stored yet: a card is being posted, and this thread.s card card\.\d+ may be it/);
    expect(await t.app.db.prisma.ticketMessage.count({ where: { staffRef: "r1" } })).toBe(0);
    release();
    while (!(await t.app.db.prisma.ticket.findFirst({ where: { cardRef: ts } }))) await new Promise((r) => setTimeout(r, 10));
    await t.app.support.fromStaff(reply); // Slack's retry
    expect(await t.app.db.prisma.ticketMessage.findFirstOrThrow({ where: { staffRef: "r1" } })).toMatchObject({ text: "Checking now" });
    await t.app.support.outbox.stop();
  });

  it("a staff reply in an unknown thread waits while a card's post is within its lease, past a minute-long database outage", async () => {
    const t = await start();
    t.app.support.attachStaff(new RecordingStaff());
    await escalate(t, "wil", "Where is my parcel?");
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow();
    const reply = { card: { channel: "C1", ts: "card.unrecorded" }, message: { channel: "C1", ts: "r9" }, staffUserId: "U1", text: "On its way" };
    // The card reached Slack just before a 90 s outage; its ts is still being recorded (TicketOutbox retries it).
    await t.app.db.prisma.ticket.update({ where: { id: ticket.id }, data: { cardRef: `posting:${new Date(Date.now() - 90_000).toISOString()}` } });
    const first = await t.app.support.fromStaff(reply).then(() => undefined, (error: unknown) => error);
    expect(isNotStored(first)).toBe(true); // not acknowledged: Slack sends it again once the card is recorded
    // A claim past its lease is abandoned (the card is posted again): the thread is nobody's.
    await t.app.db.prisma.ticket.update({ where: { id: ticket.id }, data: { cardRef: `posting:${new Date(Date.now() - 6 * 60_000).toISOString()}` } });
    await t.app.support.fromStaff(reply);
    expect(await t.app.db.prisma.ticketMessage.count({ where: { staffRef: "r9" } })).toBe(0);
  });

  it("a message in a thread that is no ticket's is ignored when no card is being posted", async () => {
    const t = await start();
    t.app.support.attachStaff(new RecordingStaff());
    await t.app.support.fromStaff({ card: { channel: "C1", ts: "chatter.1" }, message: { channel: "C1", ts: "c2" }, staffUserId: "U1", text: "lunch?" });
    expect(await t.app.db.prisma.ticketMessage.count()).toBe(0);
  });
});
