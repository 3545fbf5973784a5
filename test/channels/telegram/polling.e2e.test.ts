/**
 * The Telegram channel end to end in long-polling mode: grammY's runner polls a Bot API emulator on
 * loopback (test/helpers/fakeTelegram.ts), updates go through the real engine, flows and database,
 * and replies come back as Bot API calls. Covers language, buttons, deep links, identity, media,
 * exactly-once, 429, 403, long text, the command menu and shutdown.
 */
import { describe, expect, it } from "vitest";
import { TELEGRAM_LIMITS } from "../../../src/channels/telegram/apiPolicies";
import { useTelegramApps } from "../../helpers/telegramApp";

const startApp = useTelegramApps();

describe("Telegram channel (long polling)", () => {
  it("answers /start in the customer's language, with the menu as an inline keyboard", async () => {
    const { telegram, contact, history, app } = await startApp();
    const ivan = telegram.customer(1_000_000_000_001, { first_name: "Иван", last_name: "Петров", username: "ivan_p", language_code: "ru" });
    const start = await ivan.send("/start");
    const texts = await ivan.waitForMessages(3); // greeting, welcome gift, menu
    expect(texts[0]).toMatch(/^Здравствуйте!/);
    expect(texts[1]).toMatch(/50/);
    expect(texts[2]).toBe("Что вы хотите сделать?");
    const menu = telegram.messagesTo(ivan.chatId)[2]!;
    expect(menu.keyboard?.flat().map((b) => b.text)).toEqual(expect.arrayContaining(["Задать вопрос", "Сменить язык", "Что умеет бот?"]));
    expect(menu.keyboard?.flat()).toHaveLength(6);
    expect(telegram.messagesTo(ivan.chatId)[0]!.replyTo).toBeUndefined(); // no quoting in a private chat

    expect(await contact(1_000_000_000_001)).toMatchObject({ locale: "ru", displayName: "Иван Петров", username: "ivan_p", unreachable: false });
    const inbound = (await history(1_000_000_000_001)).filter((e) => e.direction === "in");
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({ kind: "command", channel: "telegram", text: "/start" });
    // The update id is recorded with the interaction it produced.
    expect(await app.db.prisma.interaction.count({ where: { dedupeKey: { startsWith: `telegram:${telegram.bot.id}:${start.update_id}:` } } })).toBe(1);
  });

  it("maps language_code onto the six locales (zh-hant → zh-TW, zh → zh-CN, unknown → en)", async () => {
    const { telegram, contact } = await startApp();
    const cases: [string | undefined, string][] = [["zh-hant", "zh-TW"], ["zh-hk", "zh-TW"], ["zh-hans", "zh-CN"], ["zh", "zh-CN"], ["pl", "pl"], ["vi", "vi"], ["pt-br", "en"], [undefined, "en"]];
    for (const [i, [code]] of cases.entries()) await telegram.customer(2000 + i, { language_code: code }).send("/help");
    await telegram.waitFor("a reply to everyone", () => cases.every((_, i) => telegram.messagesTo(2000 + i).length >= 1));
    for (const [i, [, locale]] of cases.entries()) expect((await contact(2000 + i))?.locale).toBe(locale);
  });

  it("a press is answered, its keyboard removed, and /language stores the choice on the contact", async () => {
    const { telegram, contact } = await startApp();
    const ann = telegram.customer(3001, { first_name: "Ann", language_code: "en" });
    await ann.send("/start");
    await ann.waitForMessages(3);
    const press = await ann.press("Change language");
    await ann.waitForMessages(4);
    expect(telegram.callsOf("answerCallbackQuery").map((c) => c.callback_query_id)).toEqual([press.callback_query!.id]);
    await telegram.waitFor("the menu's keyboard to be removed", () => telegram.messagesTo(3001)[2]!.keyboard === undefined);
    const picker = telegram.messagesTo(3001)[3]!;
    expect(picker.keyboard?.flat()).toHaveLength(6);
    expect(picker.keyboard!.flat().every((b) => Buffer.byteLength((b as { callback_data: string }).callback_data) <= 64)).toBe(true);

    await ann.press("Polski");
    const texts = await ann.waitForMessages(5);
    expect(texts[4]).toMatch(/polsk/i);
    expect((await contact(3001))?.locale).toBe("pl");
    await ann.send("/help");
    const help = await ann.waitForMessages(6);
    expect(help[5]).toMatch(/[ąćęłńóśźż]/); // answered in Polish now
  });

  it("a double tap on one keyboard answers the question once", async () => {
    const { telegram, history } = await startApp();
    const bob = telegram.customer(3002, { language_code: "en" });
    await bob.send("/language");
    await bob.waitForMessages(1);
    const picker = telegram.messagesTo(3002)[0]!;
    const data = (b: string) => (picker.keyboard!.flat().find((x) => x.text === b) as { callback_data: string }).callback_data;
    await bob.pressData(picker, data("Русский"));
    await bob.pressData(picker, data("English")); // the client still showed the keyboard
    await bob.waitForMessages(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(bob.texts()).toHaveLength(2);
    const choices = (await history(3002)).filter((e) => e.kind === "choice");
    expect(choices.map((c) => c.text)).toEqual(["Русский"]);
    expect(telegram.callsOf("answerCallbackQuery")).toHaveLength(2); // both spinners stopped
  });

  it("an update delivered twice (polling restarted before confirming it) is handled once", async () => {
    const { telegram, history, logs, channel } = await startApp();
    const cy = telegram.customer(3003, { language_code: "en" });
    const update = await cy.send("/help");
    await cy.waitForMessages(1);
    await telegram.redeliver(update); // returned by getUpdates again: this poller knows it and does not hand it on
    await new Promise((r) => setTimeout(r, 300));
    await channel.handleUpdate(update); // as a restarted poller would hand it on: the engine recognises it
    await telegram.waitFor("the repeat to be recognised", () => logs.some((l) => l.msg === "duplicate delivery ignored"));
    await cy.send("/help");
    await cy.waitForMessages(2);
    await new Promise((r) => setTimeout(r, 200));
    expect(cy.texts()).toHaveLength(2);
    expect((await history(3003)).filter((e) => e.direction === "in")).toHaveLength(2);
  });

  it("/start with a deep-link payload reaches the triggers; an invalid payload is ignored safely", async () => {
    const { telegram, history } = await startApp();
    const dee = telegram.customer(3004, { language_code: "en" });
    await dee.send("/start ref-AB12CD"); // a well-formed code nobody has: the referral flow refuses it, then greets
    await dee.waitForMessages(3);
    await dee.send(`/start <script>alert(1)</script> ${"x".repeat(3000)}`);
    const texts = await dee.waitForMessages(5);
    expect(texts[3]).toBe(texts[0]); // the greeting again (the welcome gift only once)
    const rows = await history(3004);
    expect(rows.filter((e) => e.kind === "command").map((e) => (e.data as { payload: string }).payload.slice(0, 14))).toEqual(["ref-AB12CD", "<script>alert("]);
    expect(rows.filter((e) => e.kind === "error")).toHaveLength(0);
    expect(rows.filter((e) => e.kind === "referral.rejected").map((e) => e.text)).toEqual(["unknown_code"]);
  });

  it("keeps name and username current in the profile", async () => {
    const { telegram, contact } = await startApp();
    await telegram.customer(3005, { first_name: "Eve", username: "eve1", language_code: "en" }).send("/help");
    await telegram.waitFor("first reply", () => telegram.messagesTo(3005).length === 1);
    await telegram.customer(3005, { first_name: "Eve", last_name: "Adams", username: "eve_adams", language_code: "ru" }).send("/help");
    await telegram.waitFor("second reply", () => telegram.messagesTo(3005).length === 2);
    expect(await contact(3005)).toMatchObject({ displayName: "Eve Adams", username: "eve_adams", locale: "en" }); // the locale is the contact's choice, not re-read
  });

  it("records photos, stickers, voice, documents, locations and contacts with their file ids, and answers in the customer's language", async () => {
    const { telegram, history } = await startApp();
    const fay = telegram.customer(3006, { language_code: "ru" });
    await fay.message({ photo: [{ file_id: "small", file_unique_id: "s", width: 90, height: 90 }, { file_id: "large", file_unique_id: "l", width: 1280, height: 960 }], caption: "мой чек" });
    await fay.message({ sticker: { file_id: "stk", file_unique_id: "u", type: "regular", width: 512, height: 512, is_animated: false, is_video: false, emoji: "👍" } });
    await fay.message({ voice: { file_id: "vc", file_unique_id: "v", duration: 3 } });
    await fay.message({ document: { file_id: "doc", file_unique_id: "d", file_name: "invoice.pdf" } });
    await fay.message({ location: { latitude: 52.23, longitude: 21.01 } });
    await fay.message({ contact: { phone_number: "+48123456789", first_name: "Fay" } });
    const texts = await fay.waitForMessages(6);
    expect(texts.every((t) => /[а-я]/i.test(t))).toBe(true);
    const inbound = (await history(3006)).filter((e) => e.direction === "in");
    expect(inbound.map((e) => e.kind)).toEqual(["media.photo", "media.sticker", "media.voice", "media.document", "media.location", "media.contact"]);
    expect(inbound.map((e) => (e.data as { fileId: string | null }).fileId)).toEqual(["large", "stk", "vc", "doc", null, null]);
    expect(inbound[0]!.text).toBe("мой чек");
    expect(inbound[4]!.data).toMatchObject({ latitude: 52.23, longitude: 21.01 });
    expect(inbound[5]!.data).toMatchObject({ phoneNumber: "+48123456789" });
  });

  it("a 429 delays the reply by retry_after and then delivers it", async () => {
    const { telegram, logs } = await startApp();
    telegram.fail("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
    const gus = telegram.customer(3007, { language_code: "en" });
    const t0 = Date.now();
    await gus.send("/help");
    await gus.waitForMessages(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(telegram.callsOf("sendMessage").filter((c) => c.chat_id === 3007 || c.chat_id === "3007")).toHaveLength(2);
    expect(logs.some((l) => l.level === "warn" && l.retryAfterSeconds === 1)).toBe(true);
  });

  it("a customer who blocked the bot is marked unreachable once, without retries, and reachable when they write again", async () => {
    const { telegram, contact, history } = await startApp();
    const hal = telegram.customer(3008, { language_code: "en" });
    telegram.block(3008);
    await hal.send("/start");
    await waitUntil(async () => (await contact(3008))?.unreachable === true);
    expect(telegram.callsOf("sendMessage").filter((c) => String(c.chat_id) === "3008")).toHaveLength(1); // greeting refused; the menu not even tried
    const events = (await history(3008)).filter((e) => e.direction === "event").map((e) => e.kind);
    expect(events.filter((k) => k === "contact.unreachable")).toHaveLength(1);
    expect(events).toContain("send.failed");

    telegram.unblock(3008);
    await hal.send("/help");
    await hal.waitForMessages(1);
    expect((await contact(3008))?.unreachable).toBe(false);
    expect((await history(3008)).map((e) => e.kind)).toContain("contact.reachable");
  });

  it("splits text over 4,096 characters into several messages, in order", async () => {
    const { telegram, channel } = await startApp();
    const long = Array.from({ length: 300 }, (_, i) => `Line ${i}: ${"lorem ipsum ".repeat(3)}`).join("\n");
    expect(long.length).toBeGreaterThan(4096 * 2);
    await channel.send({ channel: "telegram", externalChatId: "3009", externalUserId: "3009" }, { text: long, choices: [{ value: "ok", label: "OK" }] });
    const parts = telegram.messagesTo(3009);
    expect(parts.length).toBeGreaterThanOrEqual(Math.ceil(long.length / 4096));
    expect(parts.length).toBeLessThanOrEqual(Math.ceil(long.length / 4096) + 1);
    expect(parts.every((p) => p.text.length <= 4096)).toBe(true);
    expect(parts.map((p) => p.text).join("\n").replace(/\s+/g, "")).toBe(long.replace(/\s+/g, ""));
    expect(parts.map((p) => Boolean(p.keyboard))).toEqual(parts.map((_, i) => i === parts.length - 1));
  });

  it("the whole welcome, keyboard included, arrives within 1 s of /start with Telegram's real limits (issue 12)", async () => {
    const { telegram } = await startApp({ limits: TELEGRAM_LIMITS });
    const ida = telegram.customer(3010, { language_code: "en" });
    const t0 = Date.now();
    await ida.send("/start");
    await ida.waitForMessages(3);
    const welcome = telegram.messagesTo(3010);
    expect(welcome[2]!.keyboard?.flat().length).toBeGreaterThan(0);
    // What the limits decide is the spread: paced at one a second per chat, three messages would
    // span 2 s. The first message's own delay is the machine's (at load 10-14 in CI, seconds), so
    // the whole is bounded loosely and the spread tightly.
    expect(welcome[2]!.at - welcome[0]!.at).toBeLessThan(500);
    expect(welcome[2]!.at - t0).toBeLessThan(5000);
  });

  it("over the overall limit, a reply goes before campaign (bulk) messages that waited longer, and Telegram never sees the mark (issue 15)", async () => {
    const { telegram, channel } = await startApp({ limits: { perChatBurst: 4, perChatMs: 1000, perSecond: 2 } });
    const to = (chat: number) => ({ channel: "telegram", externalChatId: String(chat), externalUserId: String(chat) });
    const campaign = [1, 2, 3, 4].map((n) => channel.send(to(3100 + n), { text: `offer ${n}`, bulk: true }));
    await new Promise((r) => setTimeout(r, 100));
    await Promise.all([...campaign, channel.send(to(3020), { text: "your balance" })]);
    const order = telegram.sent.filter((m) => m.text === "your balance" || m.text?.startsWith("offer")).map((m) => m.text);
    expect(order).toEqual(["offer 1", "offer 2", "your balance", "offer 3", "offer 4"]);
    expect(telegram.calls.filter((c) => c.method === "sendMessage").every((c) => !("rapport_bulk" in c.payload))).toBe(true);
  });

  it("past the per-chat burst, messages to one chat are paced; other chats are not held up", async () => {
    const { telegram, channel } = await startApp({ limits: { perChatBurst: 2, perChatMs: 300, perSecond: 30 } });
    const to = (chat: number) => ({ channel: "telegram", externalChatId: String(chat), externalUserId: String(chat) });
    const t0 = Date.now();
    await Promise.all([1, 2, 3, 4].map((n) => channel.send(to(3013), { text: `m${n}` })).concat(channel.send(to(3014), { text: "other" })));
    const at = telegram.messagesTo(3013).map((m) => m.at - t0);
    expect(telegram.messagesTo(3013).map((m) => m.text)).toEqual(["m1", "m2", "m3", "m4"]);
    expect(at[1]! - at[0]!).toBeLessThan(250); // the burst goes together (paced would be 300 ms apart)
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(150); // then about one per 300 ms (checked on a 75 ms heartbeat)
    expect(at[3]! - at[2]!).toBeGreaterThanOrEqual(200);
    // The other chat's message does not wait behind the paced ones (compared with them, not with a
    // fixed time: on a loaded machine everything arrives later).
    expect(telegram.messagesTo(3014)[0]!.at - t0).toBeLessThan(at[2]!);
  });

  it("a 429 in the middle of a burst is waited out; nothing is lost or reordered", async () => {
    const { telegram, logs } = await startApp({ limits: TELEGRAM_LIMITS });
    telegram.fail("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } }, 1, 1);
    const lee = telegram.customer(3015, { language_code: "en" });
    const t0 = Date.now();
    await lee.send("/start");
    const texts = await lee.waitForMessages(3);
    await new Promise((r) => setTimeout(r, 200));
    expect(lee.texts()).toEqual(texts.slice(0, 3)); // three messages, each once
    expect(texts[0]).toMatch(/^Hello/);
    expect(telegram.messagesTo(3015)[2]!.keyboard).toBeDefined(); // the menu is still last
    const calls = telegram.calls.filter((c) => c.method === "sendMessage" && String(c.payload.chat_id) === "3015");
    expect(calls.map((c) => c.payload.text)).toEqual([texts[0], texts[1], texts[1], texts[2]]); // the refused one again, then the next
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(950);
    expect(telegram.messagesTo(3015)[2]!.at - t0).toBeGreaterThanOrEqual(1000);
    expect(logs.some((l) => l.level === "warn" && l.retryAfterSeconds === 1)).toBe(true);
  });

  it("sets the command menu per language, and keeps working when the server refuses it", async () => {
    const ok = await startApp();
    await ok.telegram.waitFor("setMyCommands", () => ok.telegram.callsOf("setMyCommands").length >= 5);
    const menus = ok.telegram.callsOf("setMyCommands");
    const ru = menus.find((m) => m.language_code === "ru");
    expect(ru?.commands).toContainEqual({ command: "language", description: "Сменить язык" });
    expect(menus.find((m) => m.language_code === undefined)?.commands.map((c: { command: string }) => c.command).sort()).toEqual(["balance", "cancel", "faq", "forget_me", "help", "ideas", "language", "menu", "refer", "rewards", "start", "support"]);

    const refused = await startApp({ before: (t) => t.fail("setMyCommands", { error_code: 500, description: "Internal Server Error" }, 20) });
    const jo = refused.telegram.customer(3011, { language_code: "en" });
    await jo.send("/help");
    await jo.waitForMessages(1);
    await refused.telegram.waitFor("the warning", () => refused.logs.some((l) => l.level === "warn" && /command menu/.test(l.msg)));
  });

  it("on stop, finishes the update in flight, confirms it, and takes no new ones", async () => {
    const t = await startApp({ limits: { perChatBurst: 1, perChatMs: 300, perSecond: 30 } });
    const kim = t.telegram.customer(3012, { language_code: "en" });
    const start = await kim.send("/start");
    await t.telegram.waitFor("the greeting", () => kim.texts().length === 1);
    await t.channel.stop(); // the gift and the menu are still waiting for the per-chat gap
    expect(kim.texts()).toHaveLength(3);
    expect(t.telegram.callsOf("getUpdates").at(-1)!.offset).toBe(start.update_id + 1); // confirmed on the way out: not delivered again after a restart
    const polls = t.telegram.callsOf("getUpdates").length;
    await kim.send("/help");
    await new Promise((r) => setTimeout(r, 200));
    expect(t.telegram.callsOf("getUpdates").length).toBe(polls);
    expect(kim.texts()).toHaveLength(3);
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
