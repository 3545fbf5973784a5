/**
 * enqueueMessage: the one way for code to send a customer something (issue 13), inside its own
 * transaction, with an idempotency key; campaign rows never go ahead of a conversation reply.
 */
import { describe, expect, it } from "vitest";
import { NoAddressError, enqueueMessage } from "../../src/outbox/enqueueMessage";
import { classifySendFailure } from "../../src/outbox/sendFailure";
import { RecipientUnreachableError } from "../../src/core/errors";
import { useTestApps } from "../helpers/testApp";

const start = useTestApps();

describe("enqueueMessage", () => {
  it("stores the message with the caller's transaction, once per key, and the running dispatcher sends it", async () => {
    const t = await start();
    await t.say("ema", "/help");
    await t.app.engine.idle(); // the reply's "sent" mark is written in the background
    const { contactId } = await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: "ema" } });
    const first = await t.app.db.prisma.$transaction((tx) => enqueueMessage(tx, { contactId, message: { text: "Spring sale", choices: [{ value: "shop", label: "Shop" }] }, priority: "campaign", key: "campaign:c1:ema" }));
    const again = await t.app.db.prisma.$transaction((tx) => enqueueMessage(tx, { contactId, message: { text: "Spring sale" }, priority: "campaign", key: "campaign:c1:ema" }));
    expect(again).toEqual({ id: first.id, duplicate: true });
    // Rolled back with its transaction: nothing stays queued.
    await t.app.db.prisma.$transaction(async (tx) => {
      await enqueueMessage(tx, { contactId, message: { text: "never" }, priority: "notification" });
      throw new Error("rolled back");
    }).catch(() => undefined);
    const rows = await t.app.db.prisma.outboxMessage.findMany({ where: { status: "pending" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel: "test", chatId: "ema", priority: 2, idempotencyKey: "campaign:c1:ema", leaseOwner: null });
    const before = t.channel.sent.length;
    await t.app.engine.outbox.drain();
    // Marked bulk for the channel (a campaign waits behind replies in Telegram's overall limit, issue 15).
    expect(t.channel.sent.slice(before).map((s) => s.message)).toEqual([{ text: "Spring sale", choices: [{ value: "shop", label: "Shop" }], bulk: true }]);
  });

  it("sends a contact's conversation reply before their campaign message that is still waiting", async () => {
    const t = await start();
    await t.say("pri", "/help");
    const { contactId } = await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: "pri" } });
    await t.app.db.prisma.$transaction((tx) => enqueueMessage(tx, { contactId, message: { text: "campaign" }, priority: "campaign" }));
    await t.app.db.prisma.$transaction((tx) => enqueueMessage(tx, { contactId, message: { text: "reply" }, priority: "conversation" }));
    const before = t.channel.sent.length;
    await t.app.engine.outbox.drain();
    expect(t.channel.sent.slice(before).map((s) => s.message.text)).toEqual(["reply", "campaign"]);
  });

  it("refuses a contact with no channel, saying so", async () => {
    const t = await start();
    await t.app.db.prisma.contact.create({ data: { id: "lonely", locale: "en" } });
    const error = await t.app.db.prisma.$transaction((tx) => enqueueMessage(tx, { contactId: "lonely", message: { text: "hi" }, priority: "notification" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoAddressError);
    expect((error as Error).message).toBe("contact lonely has no channel to reach them on; nothing was queued");
    expect((error as NoAddressError).code).toBe("rapport_no_address");
  });
});

describe("classifySendFailure", () => {
  it("retries what the channel or network failed at, not what the customer or the message made impossible", () => {
    expect(classifySendFailure(new RecipientUnreachableError("telegram", "blocked"))).toBe("unreachable");
    expect(classifySendFailure(Object.assign(new Error("502"), { transient: true }))).toBe("transient");
    expect(classifySendFailure(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe("transient");
    expect(classifySendFailure(new Error("fetch failed", { cause: Object.assign(new Error("x"), { code: "ETIMEDOUT" }) }))).toBe("transient");
    expect(classifySendFailure(Object.assign(new Error("Bad Request: message is too long"), { transient: false }))).toBe("permanent");
    expect(classifySendFailure(new TypeError("a bug"))).toBe("permanent");
  });
});
