import { afterEach, describe, expect, it } from "vitest";
import { makeFixture } from "../helpers/fixture";
import { startTestApp, type TestApp } from "../helpers/testApp";
import { helpText } from "../helpers/helpText";

// Issue 12, "a conversation that never traps a customer": what a message at an open question is.
// The rules themselves are unit-tested in interruptions.test.ts; here they run through the engine
// with the shipped flows, and the history rows are checked.

let t: TestApp | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

const tr = (app: TestApp, lng: string, key: string, options?: Record<string, unknown>) => app.app.translator().t(lng, key, options);
const MENU_VALUES = ["support", "points", "refer", "ideas", "language", "help"];

describe("interruptions at an open question", () => {
  it("an FAQ question typed at the menu is answered, then the menu is asked again with its tries untouched", async () => {
    t = await startTestApp();
    await t.say("ann", "/start");
    const replies = await t.say("ann", "how long does delivery take?");
    expect(replies.map((r) => r.text)).toEqual([tr(t, "en", "faq:topics.delivery.answer"), tr(t, "en", "welcome:menu.prompt")]);
    expect(replies[1]!.choices?.map((c) => c.value)).toEqual(MENU_VALUES);
    const rows = await t.history("ann");
    expect(rows.find((r) => r.kind === "digression")).toMatchObject({ step: "menu", text: "how long does delivery take?", data: { to: "faq" } });
    expect(rows.filter((r) => r.kind === "flow.end").at(-1)).toMatchObject({ data: { reason: "returned" } });
    expect(rows.filter((r) => r.kind === "answer.invalid")).toEqual([]);
    // still at the menu: a press answers it
    expect((await t.say("ann", { kind: "choice", value: "help" }))[0]!.text).toBe(helpText(t.app, "en"));
  });

  it("free text at the menu that the FAQ cannot answer offers a person; the menu is dropped", async () => {
    t = await startTestApp();
    await t.say("bo", "/start");
    const replies = await t.say("bo", "pizza please");
    expect(replies.map((r) => r.text)).toEqual([tr(t, "en", "faq:offer_person.prompt")]);
    const rows = await t.history("bo");
    expect(rows.filter((r) => r.kind === "flow.end").at(-1)).toMatchObject({ flow: expect.stringMatching(/^menu@/), data: { reason: "interrupted", by: "faq" } });
  });

  it("a typed button label is an answer, even one that is also a keyword (\"My points\")", async () => {
    t = await startTestApp();
    await t.say("cy", "/start");
    await t.say("cy", "my points");
    expect((await t.history("cy")).find((r) => r.kind === "answer")).toMatchObject({ step: "menu", data: { value: "points" } });
  });

  it("\"operator\" at the menu starts the support flow, in the customer's language and in English", async () => {
    t = await startTestApp({ locale: "ru" });
    await t.say("ivan", "/start");
    expect((await t.say("ivan", "оператор")).map((r) => r.text)).toEqual([tr(t, "ru", "support:ask_question")]);
    await t.say("olga", "/start");
    expect((await t.say("olga", "Operator!")).map((r) => r.text)).toEqual([tr(t, "ru", "support:ask_question")]);
    const rows = await t.history("olga");
    expect(rows.find((r) => r.kind === "flow.end")).toMatchObject({ data: { reason: "goto" } }); // welcome → menu
    expect(rows.filter((r) => r.kind === "flow.end").at(-1)).toMatchObject({ flow: expect.stringMatching(/^menu@/), step: "menu", data: { reason: "interrupted", by: "support" } });
    expect(rows.at(-2)).toMatchObject({ kind: "flow.start", flow: expect.stringMatching(/^support@/), data: { vars: { interrupted: "menu" } } });
  });

  it("a keyword interrupts a number question and a text question, where retries used to be the only way out", async () => {
    t = await startTestApp();
    await t.say("dee", "/ideas");
    await t.say("dee", { kind: "choice", value: "propose" }); // "Describe your idea in one message."
    expect((await t.say("dee", "human")).map((r) => r.text)).toEqual([tr(t, "en", "support:ask_question")]);
    expect(await t.app.db.prisma.idea.count()).toBe(0);
  });

  it("a question with interruptions: false takes the keyword as its answer (support: \"points\" is what the customer needs help with)", async () => {
    t = await startTestApp();
    await t.say("eve", "operator");
    const replies = await t.say("eve", "points");
    expect(replies.map((r) => r.text)).toEqual([tr(t, "en", "support:offline")]);
    expect((await t.app.db.prisma.ticket.findFirstOrThrow()).question).toBe("points");
    // the words for cancel still get the customer out there: no ticket that says "cancel"
    await t.say("fin", "operator");
    expect((await t.say("fin", "cancel")).map((r) => r.text)).toEqual([tr(t, "en", "common:cancel.done")]);
    expect(await t.app.db.prisma.ticket.count()).toBe(1);
  });

  it("an unknown command says so and asks again without using up a try", async () => {
    t = await startTestApp({ locale: "pl" });
    await t.say("ola", "/ideas");
    await t.say("ola", { kind: "choice", value: "propose" });
    await t.say("ola", "/pizza");
    await t.say("ola", "/pizza");
    const retry = await t.say("ola", "   ");
    expect(retry[0]!.text).toBe(tr(t, "pl", "common:retry.text", { count: 2 })); // the first real try
  });

  it("\"No\" to \"Did that answer your question?\" is not told the FAQ found nothing", async () => {
    t = await startTestApp();
    await t.say("fay", "Can I pay with PayPal?");
    const replies = await t.say("fay", "no");
    expect(replies.map((r) => r.text)).toEqual([tr(t, "en", "faq:offer_person.after_no")]);
    expect(replies[0]!.text).not.toBe(tr(t, "en", "faq:offer_person.prompt"));
  });
});

describe("always-available exits", () => {
  it("/cancel and \"cancel\" mid-flow end the conversation and say so; with nothing going on, say that", async () => {
    t = await startTestApp({ locale: "zh-TW" });
    await t.say("mei", "/start");
    expect((await t.say("mei", "/cancel")).map((r) => r.text)).toEqual([tr(t, "zh-TW", "common:cancel.done")]);
    expect((await t.say("mei", "取消")).map((r) => r.text)).toEqual([tr(t, "zh-TW", "common:cancel.nothing")]);
    await t.say("mei", "/language");
    expect((await t.say("mei", "cancel")).map((r) => r.text)).toEqual([tr(t, "zh-TW", "common:cancel.done")]);
  });

  it("/menu shows the menu at any point, without the greeting", async () => {
    t = await startTestApp();
    await t.say("gus", "/ideas");
    const replies = await t.say("gus", "/menu");
    expect(replies.map((r) => r.text)).toEqual([tr(t, "en", "welcome:menu.prompt")]);
    expect((await t.say("gus", "menu"))[0]!.choices?.map((c) => c.value)).toEqual(MENU_VALUES);
  });

  it("/cancel withdraws a request for a person queued while support is offline, and says so", async () => {
    t = await startTestApp({ locale: "ru" });
    await t.say("petr", "/support");
    await t.say("petr", "Посылка пришла повреждённой");
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow();
    expect(ticket.status).toBe("open");
    const replies = await t.say("petr", "/cancel");
    expect(replies.map((r) => r.text)).toEqual([tr(t, "ru", "support:cancelled")]);
    expect(await t.app.db.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).toMatchObject({ status: "cancelled", closedBy: "customer" });
    const rows = await t.history("petr");
    const told = tr(t, "ru", "support:cancelled");
    expect(rows.filter((r) => r.kind === "ticket.cancelled")).toHaveLength(1);
    expect(rows.filter((r) => r.direction === "out" && r.text === told)).toHaveLength(1); // told once, by the flow
    expect((await t.say("petr", "отмена")).map((r) => r.text)).toEqual([tr(t, "ru", "common:cancel.nothing")]);
  });
});

describe("digressions", () => {
  it("a fallback flow's `return` brings back the question; outside a digression it just ends", async () => {
    const fx = makeFixture({
      pick: "triggers:\n  - command: pick\nsteps:\n  - id: q\n    ask: test:q\n    choices:\n      - { value: a, label: test:a }\n    save_as: x\n  - end: test:done\n",
      side: "triggers:\n  - fallback: true\nsteps:\n  - say: test:aside\n  - return: test:back\n",
    }, { q: "pick a", a: "A", done: "done", aside: "about {{vars.text}}", back: "back to it" });
    t = await startTestApp(fx);
    await t.say("kim", "/pick");
    expect((await t.say("kim", "weather?")).map((r) => r.text)).toEqual(["en: about weather?", "en: back to it", "en: pick a"]);
    expect((await t.say("kim", "A")).map((r) => r.text)).toEqual(["en: done"]);
    expect((await t.say("kim", "hello")).map((r) => r.text)).toEqual(["en: about hello", "en: back to it"]);
    expect((await t.history("kim")).filter((r) => r.kind === "flow.end").at(-1)).toMatchObject({ data: { reason: "completed" } });
  });
});
