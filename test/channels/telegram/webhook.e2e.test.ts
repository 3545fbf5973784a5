/**
 * The Telegram channel end to end in webhook mode: the channel registers its webhook with the Bot
 * API emulator, which posts updates to the app's HTTP server with the secret-token header (and
 * retries a post that was not answered 2xx, as Telegram does). Covers forged requests, redelivery,
 * garbage bodies and shutdown.
 */
import { describe, expect, it } from "vitest";
import { useTelegramApps } from "../../helpers/telegramApp";

const startApp = useTelegramApps();

describe("Telegram channel (webhook)", () => {
  it("registers the webhook with its secret and answers updates posted to it", async () => {
    const { telegram, webhookUrl, contact } = await startApp({ mode: "webhook", secret: "s3cret_value-1" });
    expect(telegram.callsOf("setWebhook")).toEqual([expect.objectContaining({ url: webhookUrl, secret_token: "s3cret_value-1", allowed_updates: ["message", "callback_query"] })]);
    expect(telegram.callsOf("getUpdates")).toHaveLength(0);
    const lin = telegram.customer(4001, { first_name: "Lin", language_code: "zh-hant" });
    await lin.send("/start");
    expect(lin.texts()).toHaveLength(3); // the post is answered after the replies went out
    expect(lin.texts()[2]).toBe("您想做什麼？");
    await lin.press("切換語言");
    expect(lin.texts()).toHaveLength(4);
    expect(telegram.posts.every((p) => p.status === 200)).toBe(true);
    expect((await contact(4001))?.locale).toBe("zh-TW");
  });

  it("refuses a forged request (wrong or missing secret) with 401 and records nothing", async () => {
    const { telegram, app, logs } = await startApp({ mode: "webhook" });
    const update = { update_id: 9001, message: { message_id: 1, date: 1_700_000_000, chat: { id: 4002, type: "private" }, from: { id: 4002, is_bot: false, first_name: "Mallory" }, text: "/start" } };
    expect(await telegram.post(update, "not-the-secret")).toBe(401);
    expect(await telegram.post(update, undefined)).toBe(401);
    expect(await app.db.prisma.interaction.count()).toBe(0);
    expect(await app.db.prisma.contact.count()).toBe(0);
    expect(telegram.messagesTo(4002)).toHaveLength(0);
    expect(logs.filter((l) => l.msg === "Telegram webhook request refused: wrong secret token")).toHaveLength(2);
    expect(JSON.stringify(logs)).not.toContain("Mallory"); // a refused request is not even read
  });

  it("an update posted twice (Telegram retrying a post) is handled once", async () => {
    const { telegram, history } = await startApp({ mode: "webhook" });
    const mo = telegram.customer(4003, { language_code: "en" });
    const update = await mo.send("/help");
    expect(await telegram.redeliver(update)).toBe(200);
    expect(mo.texts()).toHaveLength(1);
    expect((await history(4003)).filter((e) => e.direction === "in")).toHaveLength(1);
  });

  it("answers garbage with 400, oversized bodies with 413, other methods with 405, and stores nothing", async () => {
    const { telegram, app, webhookUrl } = await startApp({ mode: "webhook", secret: "abc" });
    expect(await telegram.post(undefined, "abc", "{not json")).toBe(400);
    expect(await telegram.post({ hello: "world" }, "abc")).toBe(400);
    expect(await telegram.post(undefined, "abc", JSON.stringify({ update_id: 1, pad: "x".repeat(2 * 1024 * 1024) }))).toBe(413);
    expect((await fetch(webhookUrl!)).status).toBe(405);
    expect(await app.db.prisma.interaction.count()).toBe(0);
    // an update Rapport does not handle (an edit) is acknowledged, so Telegram does not retry it
    expect(await telegram.post({ update_id: 2, edited_message: { message_id: 1, date: 1, edit_date: 2, chat: { id: 1, type: "private" }, text: "x" } }, "abc")).toBe(200);
  });

  it("while stopping, answers 503 so Telegram delivers the update again later", async () => {
    const t = await startApp({ mode: "webhook" });
    await t.channel.stop();
    const update = { update_id: 9100, message: { message_id: 1, date: 1_700_000_000, chat: { id: 4004, type: "private" }, from: { id: 4004, is_bot: false, first_name: "Nia" }, text: "/help" } };
    expect(await t.telegram.post(update, "test-secret")).toBe(503);
    expect(await t.app.db.prisma.interaction.count()).toBe(0);
  });

  it("before the channel started (the server listens first), answers 503 and stores the update when Telegram posts it again", async () => {
    const update = { update_id: 9200, message: { message_id: 1, date: 1_700_000_000, chat: { id: 4005, type: "private" }, from: { id: 4005, is_bot: false, first_name: "Ode" }, text: "/help" } };
    let early: number | undefined;
    const t = await startApp({ mode: "webhook", beforeStart: async ({ telegram, webhookUrl, app }) => {
      telegram.webhook = { url: webhookUrl!, secret: "test-secret" };
      early = await telegram.post(update, "test-secret");
      expect(await app.db.prisma.interaction.count()).toBe(0);
    } });
    expect(early).toBe(503); // was 200 with nothing stored: Telegram dropped the update
    expect(await t.telegram.post(update, "test-secret")).toBe(200);
    expect((await t.history(4005)).filter((e) => e.direction === "in")).toHaveLength(1);
  });
});
