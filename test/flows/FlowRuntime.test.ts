import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { registerAction } from "../../src/flows/actions/registry";
import { createLogger } from "../../src/core/log";
import { makeFixture } from "../helpers/fixture";
import { startTestApp, type TestApp } from "../helpers/testApp";
import { helpText } from "../helpers/helpText";

registerAction({
  name: "test.explode",
  description: "Always throws; proves a failing action cannot wedge a conversation.",
  params: z.object({}),
  run() { throw new Error("warehouse API timed out"); },
});

let t: TestApp | undefined;
afterEach(async () => { await t?.close(); t = undefined; });


describe("shipped flows", () => {
  it("/start greets and shows the menu as buttons, in the customer's language", async () => {
    t = await startTestApp({ locale: "ru" });
    const replies = await t.say("ivan", "/start");
    expect(replies.map((r) => r.text)).toEqual([
      t.app.translator().t("ru", "welcome:greeting"),
      t.app.translator().t("ru", "loyalty:registered", { count: 50 }), // first /start: the registration bonus
      t.app.translator().t("ru", "welcome:menu.prompt"),
    ]);
    expect(replies[2]!.choices?.map((c) => c.value)).toEqual(["support", "points", "refer", "ideas", "language", "help"]);
    expect(replies[2]!.choices?.[0]!.label).toBe(t.app.translator().t("ru", "welcome:menu.support"));
    expect(replies[0]!.text).toMatch(/[а-я]/i);
  });

  it("text without words where a button is expected is re-asked, then the bot gives up with a way out", async () => {
    t = await startTestApp();
    await t.say("ann", "/start");
    const first = await t.say("ann", "???");
    expect(first[0]!.text).toBe("Please tap one of the buttons below. You have 2 more tries.");
    expect(first[1]!.choices).toHaveLength(6);
    const second = await t.say("ann", "7");
    expect(second[0]!.text).toBe("Please tap one of the buttons below. You have 1 more try.");
    const third = await t.say("ann", "🍕");
    expect(third.map((r) => r.text)).toEqual([t.app.translator().t("en", "common:gave_up")]);
    expect(third[0]!.text).toContain("/menu");
    const rows = await t.history("ann");
    expect(rows.filter((r) => r.kind === "answer.invalid").map((r) => r.text)).toEqual(["???", "7", "🍕"]);
    expect(rows.at(-1)).toMatchObject({ kind: "flow.end", data: { reason: "gave_up" } });
    expect(rows.at(-2)).toMatchObject({ direction: "out", text: t.app.translator().t("en", "common:gave_up") });
    // not stuck: the next message starts afresh
    expect((await t.say("ann", "/help"))[0]!.text).toBe(helpText(t.app, "en"));
  });

  it("a button press answers a choice question and is stored with its value", async () => {
    t = await startTestApp();
    await t.say("bo", "/start");
    const replies = await t.say("bo", { kind: "choice", value: "support", label: "Ask a question" });
    expect(replies[0]!.text).toBe("What is your question? Type it in your own words.");
    const rows = await t.history("bo");
    const press = rows.find((r) => r.kind === "choice")!;
    expect(press).toMatchObject({ direction: "in", text: "Ask a question", data: { value: "support" } });
    expect(rows.find((r) => r.kind === "answer")).toMatchObject({ step: "menu", data: { saveAs: "choice", value: "support" } });
  });

  it("an unknown command gets localized help and keeps the question open", async () => {
    t = await startTestApp({ locale: "pl" });
    await t.say("ola", "/start");
    const replies = await t.say("ola", "/pizza");
    expect(replies[0]!.text).toBe(t.app.translator().t("pl", "common:unknown_command", { command: "/pizza" }));
    expect(replies[0]!.text).toContain("/help");
    expect(replies[1]!.choices).toHaveLength(6);
    expect((await t.history("ola")).some((r) => r.kind === "command.unknown" && r.text === "/pizza")).toBe(true);
  });

  it("a message over 4,096 characters is stored whole and answered normally", async () => {
    t = await startTestApp();
    const long = "delivery ".repeat(700).trim(); // 6,299 characters, and a FAQ keyword
    expect(long.length).toBeGreaterThan(4096);
    const replies = await t.say("lin", long);
    expect(replies[0]!.text).toBe(t.app.translator().t("en", "faq:topics.delivery.answer"));
    const inbound = (await t.history("lin")).find((r) => r.direction === "in")!;
    expect(inbound.text).toBe(long);
  });

  it("non-text messages are recorded with kind and file id and get a localized answer", async () => {
    t = await startTestApp({ locale: "vi" });
    await t.say("minh", "/start");
    const replies = await t.say("minh", { kind: "media", media: "photo", fileId: "AgACAgIAAxk" });
    expect(replies[0]!.text).toBe(t.app.translator().t("vi", "common:media_unsupported", { media: t.app.translator().t("vi", "common:media_kind.photo") }));
    expect(replies[0]!.text).toContain("ảnh");
    expect(replies[1]!.choices).toHaveLength(6); // the open question is asked again
    const row = (await t.history("minh")).find((r) => r.kind === "media.photo")!;
    expect(row).toMatchObject({ direction: "in", data: { media: "photo", fileId: "AgACAgIAAxk" } });
  });

  it("keywords work per locale, and English keywords work for everyone", async () => {
    t = await startTestApp({ locale: "ru" });
    expect((await t.say("sasha", "Привет!"))[2]?.choices).toHaveLength(6); // greeting, registration bonus, menu
    expect((await t.say("sasha", "Меню!"))[0]?.choices).toHaveLength(6); // the menu alone, also at an open question
    expect((await t.say("sasha", "help"))[0]!.text).toBe(helpText(t.app, "ru"));
  });

  it("/language stores the choice on the contact and answers in the new language", async () => {
    t = await startTestApp();
    await t.say("kim", "/language");
    const replies = await t.say("kim", { kind: "choice", value: "zh-TW" });
    expect(replies[0]!.text).toBe(t.app.translator().t("zh-TW", "language:changed"));
    const contact = await t.app.db.prisma.contact.findFirstOrThrow({ where: { identities: { some: { externalId: "kim" } } } });
    expect(contact.locale).toBe("zh-TW");
    expect((await t.say("kim", "/start"))[0]!.text).toBe(t.app.translator().t("zh-TW", "welcome:greeting"));
  });

  it("free text goes to the FAQ; a miss offers a person, and declining ends the conversation", async () => {
    t = await startTestApp();
    const hit = await t.say("joe", "Can I pay with PayPal?");
    expect(hit[0]!.text).toBe(t.app.translator().t("en", "faq:topics.payment.answer"));
    expect(hit[1]!.choices?.map((c) => c.value)).toEqual(["yes", "no"]);
    const offer = await t.say("joe", { kind: "choice", value: "no" });
    expect(offer[0]!.text).toBe(t.app.translator().t("en", "faq:offer_person.after_no"));
    const miss = await t.say("joe", { kind: "choice", value: "no" });
    expect(miss[0]!.text).toBe(t.app.translator().t("en", "faq:not_found"));
    expect(await t.app.db.prisma.ticket.count()).toBe(0);
    const ends = (await t.history("joe")).filter((r) => r.kind === "flow.end");
    expect(ends.at(-1)!.data).toEqual({ reason: "completed" });
  });
});

describe("runtime failures", () => {
  it("an action that throws: localized apology, error in history and log, conversation not stuck", async () => {
    const fx = makeFixture({
      boom: "triggers:\n  - command: boom\nsteps:\n  - say: test:before\n  - action: test.explode\n  - say: test:after\n",
      hi: "triggers:\n  - command: hi\nsteps:\n  - say: test:after\n",
    }, { before: "checking your order", after: "all good" });
    const lines: string[] = [];
    t = await startTestApp({ ...fx, locale: "ru", log: createLogger("error", (l) => lines.push(l)) });
    const replies = await t.say("vera", "/boom");
    expect(replies.map((r) => r.text)).toEqual(["ru: checking your order", t.app.translator().t("ru", "common:error.apology")]);
    const rows = await t.history("vera");
    const error = rows.find((r) => r.kind === "error")!;
    expect(error.text).toContain('action "test.explode" failed in flow "boom"');
    expect(error.text).toContain("warehouse API timed out");
    expect(error.data).toEqual({ code: "rapport_action_failed" });
    expect(rows.find((r) => r.kind === "flow.end")!.data).toEqual({ reason: "error" });
    expect(lines.some((l) => l.includes("flow action failed") && l.includes("rapport_action_failed"))).toBe(true);
    expect((await t.say("vera", "/hi")).map((r) => r.text)).toEqual(["ru: all good"]);
  });

  it("a goto loop without a question ends with an error instead of spinning", async () => {
    const fx = makeFixture({ loop: "triggers:\n  - command: loop\nsteps:\n  - id: a\n    goto: b\n  - id: b\n    goto: a\n" });
    t = await startTestApp(fx);
    const replies = await t.say("max", "/loop");
    expect(replies.map((r) => r.text)).toEqual([t.app.translator().t("en", "common:error.apology")]);
    expect((await t.history("max")).find((r) => r.kind === "error")!.text).toMatch(/goto loop/);
  });
});

describe("triggers", () => {
  const flows = {
    ref: "triggers:\n  - command: start\n    payload: \"^ref-(?<code>[A-Z0-9]{4,12})$\"\nsteps:\n  - say: test:referred\n",
    start: "triggers:\n  - command: start\nsteps:\n  - say: test:plain\n",
    thanks: "triggers:\n  - event: ticket.resolved\nsteps:\n  - say: test:resolved\n",
  };
  const texts = { referred: "invited by {{vars.code}}", plain: "plain start", resolved: "ticket {{vars.event.ticketId}} closed" };

  it("a deep-link payload is matched and its named groups become variables; a bad payload falls back safely", async () => {
    t = await startTestApp(makeFixture(flows, texts));
    expect((await t.say("a", "/start ref-AB12")).map((r) => r.text)).toEqual(["en: invited by AB12"]);
    expect((await t.say("b", "/start ref-<script>")).map((r) => r.text)).toEqual(["en: plain start"]);
    expect((await t.say("c", "/start")).map((r) => r.text)).toEqual(["en: plain start"]);
  });

  it("a named event starts its flow for a contact and the reply reaches the contact's channel", async () => {
    t = await startTestApp(makeFixture(flows, texts));
    await t.say("d", "/start");
    const id = await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: "d" } } });
    await t.app.engine.emit(id.contactId, "ticket.resolved", { ticketId: "T-7" });
    expect(t.channel.sent.at(-1)).toMatchObject({ to: { externalUserId: "d" }, message: { text: "en: ticket T-7 closed" } });
    expect((await t.history("d")).some((r) => r.kind === "flow.start" && r.flow?.startsWith("thanks@"))).toBe(true);
  });
});
