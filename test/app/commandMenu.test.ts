import { describe, expect, it } from "vitest";
import { commandMenu } from "../../src/app/commandMenu";
import { SUPPORTED_LOCALES } from "../../src/i18n/locales";
import { makeFixture } from "../helpers/fixture";
import { useTestApps } from "../helpers/testApp";

const demo = "triggers:\n  - command: demo\n    menu: test:demo_cmd\n    menu_order: 25\n  - command: secret\nsteps:\n  - end: test:hi\n";

describe("command menu from flow files", () => {
  const start = useTestApps();

  it("lists every command a flow marks with menu:, in menu order, in every language, in /help and the chat app's menu", async () => {
    const fx = makeFixture({ demo }, { demo_cmd: "Book a demo", hi: "Hi" }, { shipped: true });
    const t = await start({ ...fx, locale: "ru" });
    const menu = commandMenu(t.app);
    for (const lng of SUPPORTED_LOCALES) expect(menu.get(lng)!.map((c) => c.command)).toEqual(["start", "menu", "balance", "demo", "rewards", "refer", "faq", "support", "ideas", "language", "cancel", "forget_me", "help"]);
    expect(menu.get("ru")!.find((c) => c.command === "demo")!.description).toBe("ru: Book a demo");
    expect(menu.get("ru")!.some((c) => c.command === "secret")).toBe(false); // answered when typed, not advertised
    const [help] = await t.say("ivan", "/help");
    const lines = help!.text.split("\n");
    expect(lines).toContain("/demo — ru: Book a demo");
    expect(lines).toContain(`/language — ${t.app.translator().t("ru", "common:commands.language")}`);
    expect(lines.indexOf("/demo — ru: Book a demo")).toBe(lines.findIndex((l) => l.startsWith("/balance")) + 1); // menu_order 25: after /balance (20)
  });

  it("lint checks the description key in every language", async () => {
    const { lintFlows } = await import("../../src/flows/lintFlows");
    const { Translator } = await import("../../src/i18n/Translator");
    const t = Translator.fromResources({ en: { test: { demo_cmd: "Book a demo", hi: "Hi" } } });
    const problems = lintFlows([{ file: "flows/demo.yaml", source: demo }], t).problems.map((p) => `${p.line}:${p.col} ${p.message}`);
    expect(problems).toContain('2:5 translation key "test:demo_cmd" is missing in locales/ru/test.json, locales/pl/test.json, locales/vi/test.json, locales/zh-CN/test.json, locales/zh-TW/test.json');
  });
});
