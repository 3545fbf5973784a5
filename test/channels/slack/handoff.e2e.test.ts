import { describe, expect, it } from "vitest";
import { CARD_ACTIONS } from "../../../src/channels/slack/cardBlocks";
import { blockAction, messageEvent, type FakeSlack } from "../../helpers/fakeSlack";
import { fileBytes } from "../../helpers/fakeTelegram";
import { SUPPORT_CHANNEL, useSupportApps, type SupportTestApp } from "../../helpers/supportApp";

const start = useSupportApps();

/** Flattens a card's blocks into searchable text. */
function blockText(blocks: unknown): string {
  return JSON.stringify(blocks);
}

/** The newest card posted (chat.postMessage without thread_ts in the support channel). */
function cards(slack: FakeSlack) {
  return slack.calls.filter((c) => c.method === "chat.postMessage" && !c.failed && c.args.channel === SUPPORT_CHANNEL && !c.args.thread_ts).map((c) => c.args);
}

/** Escalates customer `id` through the support flow and waits for the card; returns the card's ts. */
async function escalate(t: SupportTestApp, id: number, question = "My parcel never arrived", profile: Record<string, string> = { first_name: "Olga", language_code: "en" }) {
  const customer = t.telegram.customer(id, profile);
  await customer.send("operator");
  await customer.waitForMessages(1);
  await customer.send(question);
  await customer.waitForMessages(2);
  return { customer, ts: await cardTs(t) };
}

/** The ts of the newest ticket's card, once posted. */
async function cardTs(t: SupportTestApp): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const ticket = await t.app.db.prisma.ticket.findFirst({ orderBy: { createdAt: "desc" } });
    if (ticket?.cardRef && !ticket.cardRef.startsWith("posting:")) return ticket.cardRef;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no card posted");
}

/** A staff member's reply in a ticket's thread, as Slack posts it. */
let nextTs = 1;
function reply(user: string, threadTs: string, text: string) {
  return { json: messageEvent({ channel: SUPPORT_CHANNEL, user, text, ts: `1800000000.${String(nextTs++).padStart(6, "0")}`, threadTs }) };
}

describe("support handoff to Slack", () => {
  it("escalates, relays both ways, claims, resolves and hands the chat back to the bot", async () => {
    const t = await start();
    const slack = t.slack!;
    const { customer } = await escalate(t, 501);
    expect(customer.texts()[1]).toMatch(/a person will answer here soon/);
    const ts = await cardTs(t);
    const card = cards(slack).at(-1)!;
    const text = blockText(card.blocks);
    for (const part of ["Olga", "en · telegram", "novice · 0", "My parcel never arrived", "Recent history", CARD_ACTIONS.claim, CARD_ACTIONS.resolve]) expect(text).toContain(part);

    // customer → thread, bot silent
    await customer.send("Order 7781, sent on Monday");
    await customer.send("Please hurry");
    await slack.waitFor(() => slack.posted(SUPPORT_CHANNEL).filter((a) => a.thread_ts === ts).length >= 2);
    const thread = slack.posted(SUPPORT_CHANNEL).filter((a) => a.thread_ts === ts).map((a) => a.text);
    expect(thread[0]).toContain("Order 7781, sent on Monday");
    expect(thread[1]).toContain("Please hurry");
    expect(customer.texts()).toHaveLength(2);

    // claim
    expect((await t.post(blockAction({ user: "UANNA", actionId: CARD_ACTIONS.claim, value: (await t.app.db.prisma.ticket.findFirstOrThrow()).id, channel: SUPPORT_CHANNEL, messageTs: ts }))).status).toBe(200);
    await slack.waitFor(() => slack.callsTo("chat.update").some((u) => u.ts === ts && blockText(u.blocks).includes("Claimed by <@UANNA>")));

    // staff → customer, with delivery reactions
    const r1 = reply("UANNA", ts, "Hi Olga, I'm checking with the courier &amp; will be back");
    const r2 = reply("UANNA", ts, "Found it: it arrives tomorrow <https://track.example/7781|track it>");
    expect((await t.post(r1)).status).toBe(200);
    await customer.waitForMessages(3);
    expect((await t.post(r2)).status).toBe(200);
    const texts = await customer.waitForMessages(4);
    expect(texts[2]).toBe("Hi Olga, I'm checking with the courier & will be back");
    expect(texts[3]).toBe("Found it: it arrives tomorrow track it (https://track.example/7781)");
    await slack.waitFor(() => slack.callsTo("reactions.add").filter((r) => r.name === "white_check_mark").length >= 2);

    // internal note: stored, never sent
    await t.post(reply("UANNA", ts, "note: courier says depot mix-up"));
    await slack.waitFor(() => slack.callsTo("reactions.add").some((r) => r.name === "memo"));

    // resolve in the thread
    await t.post(reply("UANNA", ts, "resolve"));
    const after = await customer.waitForMessages(5);
    expect(after[4]).toMatch(/marked your question as resolved/);
    await slack.waitFor(() => slack.callsTo("chat.update").some((u) => blockText(u.blocks).includes("Resolved by <@UANNA>")));
    await slack.waitFor(() => t.emitted.some((e) => e.name === "ticket.resolved"));
    expect((await t.contactOf(501))!.openTicketId).toBeNull();

    // the bot has the chat again
    await customer.send("/help");
    expect((await customer.waitForMessages(6))[5]).toMatch(/Here is what I can do/);

    const history = await t.history(501);
    const kinds = history.map((h) => `${h.direction}:${h.kind}:${h.actor}`);
    for (const k of ["event:ticket.opened:customer", "event:ticket.claimed:agent:UANNA", "out:text:agent:UANNA", "internal:note:agent:UANNA", "event:ticket.resolved:agent:UANNA"]) expect(kinds).toContain(k);
    expect(history.filter((h) => h.direction === "in").map((h) => h.text)).toEqual(expect.arrayContaining(["Order 7781, sent on Monday", "Please hurry"]));
    expect(history.find((h) => h.kind === "note")!.text).toBe("courier says depot mix-up");
    expect(history.filter((h) => h.direction === "out" && h.actor === "agent:UANNA")).toHaveLength(2);
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow();
    expect(ticket).toMatchObject({ status: "resolved", assignee: "agent:UANNA", closedBy: "agent:UANNA", reason: "asked_for_person" });
    expect(ticket.firstResponseAt).not.toBeNull();
  });

  it("refuses forged and stale requests with 401 and changes nothing", async () => {
    const t = await start();
    const { customer } = await escalate(t, 502);
    const ts = await cardTs(t);
    const before = await t.app.db.prisma.ticketMessage.count();
    const forged = await t.post(reply("UANNA", ts, "forged"), { signature: "v0=deadbeef" });
    const stale = await t.post(reply("UANNA", ts, "stale"), { timestamp: Math.floor(Date.now() / 1000) - 600 });
    const claim = await t.post(blockAction({ user: "UANNA", actionId: CARD_ACTIONS.claim, value: (await t.app.db.prisma.ticket.findFirstOrThrow()).id, channel: SUPPORT_CHANNEL, messageTs: ts }), { signature: "v0=00" });
    expect([forged.status, stale.status, claim.status]).toEqual([401, 401, 401]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await t.app.db.prisma.ticketMessage.count()).toBe(before);
    expect((await t.app.db.prisma.ticket.findFirstOrThrow()).status).toBe("open");
    expect(customer.texts()).toHaveLength(2);
  });

  it("ignores thread replies and buttons from people outside the support channel, and its own posts", async () => {
    const t = await start();
    const slack = t.slack!;
    const { customer } = await escalate(t, 503);
    const ts = await cardTs(t);
    await t.post(reply("UMALLORY", ts, "give me your password"));
    await t.post(blockAction({ user: "UMALLORY", actionId: CARD_ACTIONS.resolve, value: (await t.app.db.prisma.ticket.findFirstOrThrow()).id, channel: SUPPORT_CHANNEL, messageTs: ts }));
    await t.post({ json: messageEvent({ channel: SUPPORT_CHANNEL, user: "UBOT", botId: "BBOT", subtype: "bot_message", text: "*Olga:* loop?", ts: "1800000001.000001", threadTs: ts }) });
    await slack.waitFor(() => slack.callsTo("chat.postEphemeral").length > 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(customer.texts()).toHaveLength(2);
    expect((await t.app.db.prisma.ticket.findFirstOrThrow()).status).toBe("open");
    expect((await t.history(503)).filter((h) => h.direction === "out" && h.actor.startsWith("agent:"))).toHaveLength(0);
    expect(t.logs.some((l) => l.msg.includes("not allowed to handle tickets") && l.user === "UMALLORY")).toBe(true);
  });

  it("a reply claims an unclaimed ticket; Hand back returns the chat to the bot without resolving", async () => {
    const t = await start();
    const slack = t.slack!;
    const { customer } = await escalate(t, 504);
    const ts = await cardTs(t);
    await t.post(reply("UBORIS", ts, "Hello, Boris here"));
    await customer.waitForMessages(3);
    await slack.waitFor(() => slack.callsTo("chat.update").some((u) => blockText(u.blocks).includes("Claimed by <@UBORIS>") && blockText(u.blocks).includes(CARD_ACTIONS.handBack)));
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow();
    expect(ticket).toMatchObject({ status: "claimed", assignee: "agent:UBORIS" });
    await t.post(blockAction({ user: "UBORIS", actionId: CARD_ACTIONS.handBack, value: ticket.id, channel: SUPPORT_CHANNEL, messageTs: ts }));
    expect((await customer.waitForMessages(4))[3]).toMatch(/handed the chat back to me/);
    expect((await t.app.db.prisma.ticket.findFirstOrThrow()).status).toBe("handed_back");
    expect(t.emitted.map((e) => e.name)).not.toContain("ticket.resolved");
    await slack.waitFor(() => slack.callsTo("chat.update").some((u) => blockText(u.blocks).includes("Handed back to the bot by <@UBORIS>")));
  });

  it("tells a customer nobody answered yet, and lets them stop waiting", async () => {
    const t = await start();
    const slack = t.slack!;
    const { customer } = await escalate(t, 505);
    const ts = await cardTs(t);
    expect(await t.app.support.remindUnanswered(new Date(Date.now() + 16 * 60_000))).toBe(1);
    expect(await t.app.support.remindUnanswered(new Date(Date.now() + 30 * 60_000))).toBe(0);
    expect((await customer.waitForMessages(3))[2]).toMatch(/everyone on our team is busy/);
    await slack.waitFor(() => slack.callsTo("chat.update").some((u) => blockText(u.blocks).includes("told nobody has answered yet")));
    expect((await t.app.db.prisma.ticket.findFirstOrThrow()).status).toBe("open"); // still in the queue
    await customer.send("/cancel");
    expect((await customer.waitForMessages(4))[3]).toMatch(/cancelled your request/);
    await slack.waitFor(() => slack.callsTo("chat.update").some((u) => blockText(u.blocks).includes("stopped waiting")));
    expect(slack.posted(SUPPORT_CHANNEL).some((a) => a.thread_ts === ts && String(a.text).includes("stopped waiting"))).toBe(true);
    expect((await t.contactOf(505))!.openTicketId).toBeNull();
  });

  it("marks a reply that could not be delivered, retries it, and marks it delivered when it arrives", async () => {
    const t = await start();
    const slack = t.slack!;
    const { customer } = await escalate(t, 506);
    const ts = await cardTs(t);
    t.telegram.fail("sendMessage", { error_code: 502, description: "Bad Gateway" }, 2);
    const r = reply("UANNA", ts, "Are you there?");
    await t.post(r);
    await slack.waitFor(() => slack.callsTo("reactions.add").some((x) => x.name === "x"));
    await slack.waitFor(() => slack.posted(SUPPORT_CHANNEL).some((a) => a.thread_ts === ts && String(a.text).includes("Not delivered to the customer")));
    expect((await customer.waitForMessages(3, 8000))[2]).toBe("Are you there?");
    await slack.waitFor(() => slack.callsTo("reactions.add").some((x) => x.name === "white_check_mark"), 5000);
    const message = await t.app.db.prisma.ticketMessage.findFirstOrThrow({ where: { direction: "to_customer" } });
    expect(message.status).toBe("delivered");
    expect(message.attempts).toBeGreaterThan(1);
  });

  it("shows a customer's markup in the thread as typed: no bold, mention, link or fake speaker line", async () => {
    const t = await start();
    const slack = t.slack!;
    const { customer } = await escalate(t, 509);
    const ts = await cardTs(t);
    const hostile = "thanks\n*Anna (support):* please send your card number to <https://evil.example|our form> <!channel>";
    await customer.send(hostile);
    const posted = await slack.waitFor(() => slack.posted(SUPPORT_CHANNEL).find((a) => a.thread_ts === ts && JSON.stringify(a.blocks ?? []).includes("evil.example")));
    expect(String(posted.mrkdwn)).toBe("false"); // form-encoded by the WebClient
    expect(posted.blocks).toEqual([{ type: "rich_text", elements: [{ type: "rich_text_section", elements: [{ type: "text", text: "Olga:", style: { bold: true } }, { type: "text", text: ` ${hostile}` }] }] }]);
    expect(posted.text).not.toContain("<!channel>");
    expect(posted.text).not.toContain("<https://");
  });

  it("relays photos as files and locations as map links into the thread", async () => {
    const t = await start();
    const slack = t.slack!;
    const { customer } = await escalate(t, 507);
    const ts = await cardTs(t);
    await customer.message({ photo: [{ file_id: "small1", file_unique_id: "s1", width: 90, height: 90 }, { file_id: "big1", file_unique_id: "b1", width: 1280, height: 960 }], caption: "the box was crushed" });
    await customer.message({ location: { latitude: 52.2297, longitude: 21.0122 } });
    const upload = await slack.waitFor(() => [...slack.uploads.values()].find((u) => u.completed));
    expect(upload).toMatchObject({ filename: "big1.jpg", channel: SUPPORT_CHANNEL, threadTs: ts });
    expect(upload.comment).toBeUndefined(); // initial_comment is mrkdwn: the caption goes as rich text blocks
    expect(upload.blocks).toEqual([{ type: "rich_text", elements: [{ type: "rich_text_section", elements: [{ type: "text", text: "Olga:", style: { bold: true } }, { type: "text", text: expect.stringContaining("the box was crushed") }] }] }]);
    expect(upload.bytes!.toString()).toContain(fileBytes("files/big1.jpg").toString());
    const located = await slack.waitFor(() => slack.posted(SUPPORT_CHANNEL).find((a) => a.thread_ts === ts && String(a.text).includes("📍 location")));
    expect(located.text).toContain("52.2297, 21.0122");
    expect(customer.texts()).toHaveLength(2); // the bot stays silent: no "I can't read photos" while a person has the chat
  });

  it("waits out Slack's rate limit, and puts a long question in full into the thread", async () => {
    const t = await start();
    const slack = t.slack!;
    slack.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    const started = Date.now();
    const question = `My order ${"is late and ".repeat(80)}nobody answers the phone`;
    await escalate(t, 508, question);
    const ts = await cardTs(t);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(slack.calls.filter((c) => c.method === "chat.postMessage" && c.failed)).toHaveLength(1);
    const card = JSON.stringify(cards(slack).at(-1)!.blocks);
    expect(card).toContain("shortened; the full text is in the thread");
    expect(card).not.toContain("nobody answers the phone");
    const full = await slack.waitFor(() => slack.posted(SUPPORT_CHANNEL).find((a) => a.thread_ts === ts));
    expect(full.text).toContain("nobody answers the phone");
  });

  it("keeps staff replies in order when one has to be retried, and tells staff when a reply could not be handled at all", { timeout: 60_000 }, async () => {
    const t = await start();
    const slack = t.slack!;
    const { customer } = await escalate(t, 509);
    const ts = await cardTs(t);
    t.telegram.fail("sendMessage", { error_code: 502, description: "Bad Gateway" }, 1);
    await t.post(reply("UANNA", ts, "first"));
    await t.post(reply("UANNA", ts, "second"));
    // Slack is answered before an event is handled, so events can be handled in parallel: wait until
    // both replies are stored before resolving (a reply that comes after the close is refused, tested apart).
    await slack.waitFor(async () => (await t.app.db.prisma.ticketMessage.count({ where: { direction: "to_customer" } })) === 2 || undefined);
    await t.post(reply("UANNA", ts, "resolve"));
    const texts = await customer.waitForMessages(5, 20_000); // the failed send is retried after a backoff; a loaded machine adds seconds
    expect(texts.slice(2, 4)).toEqual(["first", "second"]);
    expect(texts[4]).toMatch(/marked your question as resolved/);

    const other = await escalate(t, 510);
    const desk = t.app.support;
    const fromStaff = desk.fromStaff.bind(desk);
    desk.fromStaff = async () => { throw new Error("database is unreachable"); };
    const lost = reply("UBORIS", other.ts, "are you there?");
    await t.post(lost);
    await slack.waitFor(() => slack.posted(SUPPORT_CHANNEL).find((a) => a.thread_ts === other.ts && String(a.text).includes("Not passed on to the customer")));
    expect(slack.callsTo("reactions.add").some((r) => r.name === "x" && r.timestamp === (lost.json as { event: { ts: string } }).event.ts)).toBe(true);
    desk.fromStaff = fromStaff;
  });

  it("answers 405 to anything but POST on the Slack endpoint", async () => {
    const t = await start();
    expect((await fetch(t.eventsUrl)).status).toBe(405);
    expect(t.logs.some((l) => l.level === "error")).toBe(false);
  });
});
