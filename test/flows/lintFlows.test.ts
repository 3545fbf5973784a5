import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Resource, ResourceLanguage } from "i18next";
import { describe, expect, it } from "vitest";
import "../../src/app/actions";
import { formatProblem } from "../../src/core/errors";
import { actionNames } from "../../src/flows/actions/registry";
import { keywordList, normaliseKeyword } from "../../src/flows/keywords";
import { findFlowFiles, lintFlows, unreachable, type FlowSource } from "../../src/flows/lintFlows";
import { loadFlowFile } from "../../src/flows/loadFlowFile";
import type { Flow } from "../../src/flows/types";
import { Translator } from "../../src/i18n/Translator";
import { SUPPORTED_LOCALES } from "../../src/i18n/locales";

const ROOT = join(import.meta.dirname, "..", "..");
const yaml = (...lines: string[]) => `${lines.join("\n")}\n`;

/** Texts every test flow may use, complete in all six locales (ru/pl with all plural forms). */
function baseResources(): Resource {
  const t = { hi: "Hi", bye: "Bye", q: "Question?", yes: "Yes", no: "No", kw: "menu, start", items_one: "{{count}} item", items_other: "{{count}} items" };
  const slavic = { ...t, items_few: "{{count}} items (few)", items_many: "{{count}} items (many)" };
  const retry = { choice_other: "Tap a button", text_other: "Type something" };
  const common = (lng: string) => ({ retry: lng === "ru" || lng === "pl" ? { ...retry, choice_one: "1", choice_few: "f", choice_many: "m", text_one: "1", text_few: "f", text_many: "m" } : lng === "en" ? { ...retry, choice_one: "1", text_one: "1" } : { ...retry } });
  return Object.fromEntries(SUPPORTED_LOCALES.map((lng) => [lng, { t: lng === "ru" || lng === "pl" ? { ...slavic } : { ...t }, common: common(lng) }]));
}

/** A translator over the base texts after `edit` changed some of them. */
function translator(edit: (r: Record<string, ResourceLanguage & { t: Record<string, unknown> }>) => void = () => {}): Translator {
  const r = structuredClone(baseResources()) as Record<string, ResourceLanguage & { t: Record<string, unknown> }>;
  edit(r);
  return Translator.fromResources(r);
}

const lint = (sources: FlowSource[], t = translator()) => lintFlows(sources, t);
const messages = (sources: FlowSource[], t?: Translator) => lint(sources, t).problems.map(formatProblem);

describe("lintFlows", () => {
  it("accepts a correct flow and returns it", () => {
    const r = lint([{ file: "flows/a.yaml", source: yaml(
      "triggers:",
      "  - command: a",
      "steps:",
      "  - say: t:hi",
      "  - id: q",
      "    ask: t:q",
      "    choices:",
      "      - { value: y, label: t:yes }",
      "      - { value: n, label: t:no }",
      "    save_as: answer",
      "  - branch:",
      "      - if: { var: answer, equals: y }",
      "        goto: done",
      "      - else: q",
      "  - id: done",
      "    end: t:bye",
    ) }]);
    expect(r.problems).toEqual([]);
    expect(r.flows.map((f) => f.id)).toEqual(["a"]);
  });

  it("reports an unknown step target with a suggestion, at the step", () => {
    expect(messages([{ file: "flows/a.yaml", source: yaml(
      "steps:",
      "  - id: greet",
      "    say: t:hi",
      "    next: menuu",
      "  - id: menu",
      "    end: t:bye",
    ) }])).toEqual([
      'flows/a.yaml:4:11: step "greet" goes to unknown step "menuu"; did you mean "menu"? (use flow:<id> to start another flow)',
      'flows/a.yaml:5:5: step "menu" can never run: no step goes to it and the step before it does not fall through',
    ]);
  });

  it("reports an unknown flow target, and suggests a flow that exists", () => {
    const problems = messages([
      { file: "flows/a.yaml", source: yaml("steps:", "  - say: t:hi", "  - goto: flow:nope") },
      { file: "flows/b.yaml", source: yaml("steps:", "  - goto: flow:welcom") },
      { file: "flows/welcome.yaml", source: yaml("steps:", "  - end: true") },
    ]);
    expect(problems).toEqual([
      'flows/a.yaml:3:11: the step at flows/a.yaml:3 goes to unknown flow "nope"',
      'flows/b.yaml:2:11: the step at flows/b.yaml:2 goes to unknown flow "welcom"; did you mean "flow:welcome"?',
    ]);
  });

  it("checks on_give_up and branch targets too", () => {
    expect(messages([{ file: "flows/a.yaml", source: yaml(
      "steps:",
      "  - id: q",
      "    ask: t:q",
      "    save_as: x",
      "    on_give_up: gone",
      "  - branch:",
      "      - if: { var: x, exists: true }",
      "        goto: flow:zzz",
      "      - else: q",
    ) }])).toEqual([
      'flows/a.yaml:5:17: step "q" goes to unknown step "gone" (use flow:<id> to start another flow)',
      'flows/a.yaml:8:15: the step at flows/a.yaml:6 goes to unknown flow "zzz"',
    ]);
  });

  it("reports a step nothing reaches", () => {
    expect(messages([{ file: "flows/a.yaml", source: yaml(
      "steps:",
      "  - say: t:hi",
      "  - goto: last",
      "  - id: orphan",
      "    say: t:q",
      "  - id: last",
      "    end: t:bye",
    ) }])).toEqual(['flows/a.yaml:4:5: step "orphan" can never run: no step goes to it and the step before it does not fall through']);
  });

  it("reports an unknown action with a suggestion and the registered ones", () => {
    const [p, ...rest] = messages([{ file: "flows/a.yaml", source: yaml("steps:", "  - say: t:hi", "  - action: faq.answr", "    with: { question: x }") }]);
    expect(rest).toEqual([]);
    expect(actionNames()).toEqual(expect.arrayContaining(["contact.set_locale", "faq.answer"]));
    expect(p).toBe(`flows/a.yaml:3:13: unknown action "faq.answr"; did you mean "faq.answer"? Registered actions: ${actionNames().join(", ")}.`);
  });

  it("accepts the registered actions by name", () => {
    expect(messages([{ file: "flows/a.yaml", source: yaml(
      "steps:",
      "  - action: faq.answer",
      "    with: { question: x }",
      "  - action: contact.set_locale",
      "    with: { locale: ru }",
    ) }])).toEqual([]);
  });

  describe("duplicate triggers across files", () => {
    const triggers = (...t: string[]) => yaml("triggers:", ...t.map((x) => `  - ${x}`), "steps:", "  - end: true");

    it("reports a second /command at the second trigger, naming the first", () => {
      expect(messages([
        { file: "flows/a.yaml", source: triggers("command: start") },
        { file: "flows/b.yaml", source: triggers("event: x.y", "command: start") },
      ])).toEqual(['flows/b.yaml:3:5: duplicate trigger: /start already starts flow "a" (flows/a.yaml:2); remove it here or there']);
    });

    it("tells a command with a payload from the bare command, but not from the same payload", () => {
      expect(messages([
        { file: "flows/a.yaml", source: triggers("command: start") },
        { file: "flows/b.yaml", source: triggers("command: start\n    payload: 'ref-\\w+'") },
        { file: "flows/c.yaml", source: triggers("command: start\n    payload: 'ref-\\w+'") },
      ])).toEqual(['flows/c.yaml:2:5: duplicate trigger: /start with payload ref-\\w+ already starts flow "b" (flows/b.yaml:2); remove it here or there']);
    });

    it("reports an event and a fallback claimed twice", () => {
      expect(messages([
        { file: "flows/a.yaml", source: triggers("event: ticket.resolved", "fallback: true") },
        { file: "flows/b.yaml", source: triggers("fallback: true", "event: ticket.resolved") },
      ])).toEqual([
        'flows/b.yaml:2:5: duplicate trigger: fallback already starts flow "a" (flows/a.yaml:3); remove it here or there',
        'flows/b.yaml:3:5: duplicate trigger: event ticket.resolved already starts flow "a" (flows/a.yaml:2); remove it here or there',
      ]);
    });

    it("reports a keyword shared in one locale only, after normalising case and punctuation", () => {
      const t = translator((r) => {
        for (const lng of SUPPORTED_LOCALES) r[lng]!.t.kw2 = `other-${lng}`;
        r.ru!.t.kw = "меню, старт";
        r.ru!.t.kw2 = "помощь, Меню!";
      });
      expect(messages([
        { file: "flows/a.yaml", source: triggers("keywords: t:kw") },
        { file: "flows/b.yaml", source: triggers("keywords: t:kw2") },
      ], t)).toEqual(['flows/b.yaml:2:5: duplicate trigger: keyword "меню" (ru) already starts flow "a" (flows/a.yaml:2); remove it here or there']);
    });
  });

  describe("translations", () => {
    it("lists the locale files a key is missing from", () => {
      const t = translator((r) => { delete r.pl!.t.hi; delete r["zh-TW"]!.t.hi; });
      expect(messages([{ file: "flows/a.yaml", source: yaml("steps:", "  - say: t:hi") }], t)).toEqual([
        'flows/a.yaml:2:10: translation key "t:hi" is missing in locales/pl/t.json, locales/zh-TW/t.json',
      ]);
    });

    it("does not let a locale borrow the English text", () => {
      const t = translator((r) => { for (const lng of SUPPORTED_LOCALES) if (lng !== "en") delete r[lng]!.t.hi; });
      expect(messages([{ file: "flows/a.yaml", source: yaml("steps:", "  - say: t:hi") }], t)).toEqual([
        'flows/a.yaml:2:10: translation key "t:hi" is missing in locales/ru/t.json, locales/pl/t.json, locales/vi/t.json, locales/zh-CN/t.json, locales/zh-TW/t.json',
      ]);
    });

    it("checks choice labels, the retry text and keyword keys", () => {
      const t = translator((r) => { delete r.vi!.t.no; delete r.vi!.t.kw; delete (r.vi!.common as { retry: Record<string, string> }).retry.choice_other; });
      expect(messages([{ file: "flows/a.yaml", source: yaml(
        "triggers:",
        "  - keywords: t:kw",
        "steps:",
        "  - ask: t:q",
        "    choices:",
        "      - { value: y, label: t:yes }",
        "      - { value: n, label: t:no }",
        "    save_as: x",
      ) }], t)).toEqual([
        'flows/a.yaml:2:5: translation key "t:kw" is missing in locales/vi/t.json',
        'flows/a.yaml:4:5: translation key "common:retry.choice" is missing in locales/vi/common.json',
        'flows/a.yaml:7:28: translation key "t:no" is missing in locales/vi/t.json',
      ]);
    });

    it("needs every plural form a locale has when a text is used with count", () => {
      const t = translator((r) => { delete r.ru!.t.items_few; delete r.ru!.t.items_many; delete r.pl!.t.items_many; delete r.en!.t.items_one; });
      const problems = lint([{ file: "flows/a.yaml", source: yaml("steps:", "  - ask: t:q", "    save_as: n", "  - say: { key: t:items, count: vars.n }") }], t).problems;
      expect(problems.map((p) => `${p.line}:${p.col}`)).toEqual(["4:17", "4:17", "4:17"]);
      const byLocale = Object.fromEntries(problems.map((p) => [/ in (\S+) needs/.exec(p.message)![1], p.message]));
      expect(Object.keys(byLocale).sort()).toEqual(["en", "pl", "ru"]);
      expect(byLocale.en).toBe('plural key "t:items" in en needs forms items_one');
      expect(byLocale.pl).toBe('plural key "t:items" in pl needs forms items_many');
      expect(byLocale.ru).toMatch(/^plural key "t:items" in ru needs forms items_\w+, items_\w+$/);
      expect(byLocale.ru).toContain("items_few");
      expect(byLocale.ru).toContain("items_many");
    });

    it("accepts a plural text with all forms, and does not ask for plural forms without count", () => {
      expect(messages([{ file: "flows/a.yaml", source: yaml("steps:", "  - ask: t:q", "    save_as: n", "  - say: { key: t:items, count: vars.n }", "  - say: t:hi") }])).toEqual([]);
    });

    // Only the text written with `count:` is shown with a count; labels beside it need no plural forms.
    it("checks only the counted text for plural forms, not the choice labels beside it", () => {
      expect(messages([{ file: "flows/a.yaml", source: yaml(
        "triggers:",
        "  - command: items",
        "    payload: '^(?<n>\\d+)$'",
        "steps:",
        "  - ask: { key: t:items, count: vars.n }",
        "    choices:",
        "      - { value: y, label: t:yes }",
        "    save_as: x",
      ) }])).toEqual([]);
    });

    it("rejects text that is not namespace:key", () => {
      expect(messages([{ file: "flows/a.yaml", source: yaml("steps:", "  - say: Hello there!") }])).toEqual([
        'flows/a.yaml:2:10: text "Hello there!" is not a translation key; write namespace:key (e.g. welcome:greeting) and put the text in locales/<lng>/<namespace>.json',
      ]);
    });
  });

  it("keeps flows that are valid on their own while reporting another file's problems", () => {
    const r = lint([
      { file: "flows/a.yaml", source: yaml("steps:", "  - say: t:hi") },
      { file: "flows/b.yaml", source: yaml("steps:", "  - sya: t:hi") },
    ]);
    expect(r.flows.map((f) => f.id)).toEqual(["a"]);
    expect(r.problems.map(formatProblem)).toEqual([
      'flows/b.yaml:2:5: unknown step kind "sya"; did you mean "say"? Known kinds: say, ask, branch, action, goto, end, return, wait.',
    ]);
  });

  it("sorts problems by file, line and column whatever order the files come in", () => {
    const r = lint([
      { file: "flows/b.yaml", source: yaml("steps:", "  - say: nope", "  - goto: nowhere") },
      { file: "flows/a.yaml", source: yaml("triggers:", "  - command: Bad", "steps:", "  - say: t:missing") },
    ]);
    expect(r.problems.map((p) => [p.file, p.line, p.col])).toEqual([
      ["flows/a.yaml", 2, 14],
      ["flows/b.yaml", 2, 10],
      ["flows/b.yaml", 3, 11],
    ]);
    expect(r.problems.map(formatProblem)[2]).toBe('flows/b.yaml:3:11: the step at flows/b.yaml:3 goes to unknown step "nowhere" (use flow:<id> to start another flow)');
  });

  describe("the shipped flows", () => {
    const locales = Translator.fromDirectory(join(ROOT, "locales"));

    it("flows/ lints clean with the shipped locales", () => {
      const sources = findFlowFiles(["flows"], ROOT);
      expect(sources.map((s) => s.file)).toEqual(expect.arrayContaining(["flows/faq.yaml", "flows/help.yaml", "flows/language.yaml", "flows/welcome.yaml"]));
      const r = lintFlows(sources, locales);
      expect(r.problems.map(formatProblem)).toEqual([]);
      expect(r.flows).toHaveLength(sources.length - 1); // flows/loyalty.yaml is the loyalty rules, linted but not a flow
      expect(r.flows.map((f) => f.id)).not.toContain("loyalty");
    });

    it("bench/flows/ lints clean with the shipped locales", () => {
      const sources = findFlowFiles(["bench/flows"], ROOT);
      expect(sources.map((s) => s.file)).toContain("bench/flows/signup.yaml");
      expect(lintFlows(sources, locales).problems.map(formatProblem)).toEqual([]);
    });
  });
});

describe("unreachable", () => {
  const flow = (...steps: string[]): Flow => {
    const r = loadFlowFile("flows/u.yaml", yaml("steps:", ...steps));
    if (!r.flow) throw new Error(r.problems.map(formatProblem).join("\n"));
    return r.flow;
  };

  it("follows fall-through, next, goto and branch arms", () => {
    expect(unreachable(flow(
      "  - id: a",
      "    say: t:a",
      "    next: c",
      "  - id: b",          // skipped by next
      "    say: t:b",
      "  - id: c",
      "    branch:",
      "      - if: { var: x, exists: true }",
      "        goto: e",
      "  - id: d",          // branch without else falls through
      "    goto: f",
      "  - id: e",
      "    end: true",
      "  - id: f",
      "    end: true",
      "  - id: g",          // after end, nothing goes here
      "    say: t:g",
    ))).toEqual(["b", "g"]);
  });

  it("treats a branch with else as not falling through", () => {
    expect(unreachable(flow(
      "  - branch:",
      "      - if: { var: x, equals: 1 }",
      "        goto: z",
      "      - else: z",
      "  - id: y",
      "    say: t:y",
      "  - id: z",
      "    end: true",
    ))).toEqual(["y"]);
  });

  it("lets a disabled step fall through to the next one", () => {
    expect(unreachable(flow(
      "  - goto: z",
      "    disabled: true",
      "  - id: y",
      "    say: t:y",
      "  - id: z",
      "    end: true",
    ))).toEqual([]);
  });

  it("finds nothing unreachable in a straight line and handles loops", () => {
    expect(unreachable(flow("  - id: a", "    say: t:a", "  - id: b", "    goto: a"))).toEqual([]);
  });
});

describe("keywords", () => {
  it("normalises case, punctuation, symbols and spaces", () => {
    expect(normaliseKeyword("  Main   MENU!! ")).toBe("main menu");
    expect(normaliseKeyword("Что-ты умеешь?")).toBe("что ты умеешь");
    expect(normaliseKeyword("👍🏽 Hi")).toBe("hi");
  });

  // ❤️ is U+2764 U+FE0F: the variation selector is a mark, not a symbol, and must not survive,
  // or "Menu ❤️" would not match the keyword "menu" while "Menu 😀" would.
  it("drops the variation selector of an emoji such as ❤️", () => {
    expect(normaliseKeyword("Menu ❤️")).toBe("menu");
  });

  it("lists a locale's keywords, empty when the locale lacks the key", () => {
    const t = translator((r) => { r.ru!.t.kw = "Меню, , Старт!"; delete r.vi!.t.kw; });
    expect(keywordList(t, "ru", "t:kw")).toEqual(["меню", "старт"]);
    expect(keywordList(t, "en", "t:kw")).toEqual(["menu", "start"]);
    expect(keywordList(t, "vi", "t:kw")).toEqual([]);
  });
});

describe("findFlowFiles", () => {
  it("lists the .yaml/.yml files of a folder, sorted, relative to cwd, and single files", () => {
    const dir = mkdtempSync(join(tmpdir(), "rapport-flows-"));
    mkdirSync(join(dir, "flows", "nested"), { recursive: true });
    writeFileSync(join(dir, "flows", "b.yaml"), "steps: [b]\n");
    writeFileSync(join(dir, "flows", "a.yml"), "steps: [a]\n");
    writeFileSync(join(dir, "flows", "notes.md"), "# no\n");
    writeFileSync(join(dir, "flows", "nested", "c.yaml"), "steps: [c]\n");
    writeFileSync(join(dir, "extra.yaml"), "steps: [x]\n");
    expect(findFlowFiles(["flows", "extra.yaml"], dir)).toEqual([
      { file: join("flows", "a.yml"), source: "steps: [a]\n", modifiedAt: expect.any(Number) },
      { file: join("flows", "b.yaml"), source: "steps: [b]\n", modifiedAt: expect.any(Number) },
      { file: "extra.yaml", source: "steps: [x]\n", modifiedAt: expect.any(Number) },
    ]);
  });

  it("names a path that does not exist", () => {
    expect(() => findFlowFiles(["no-such-folder"], tmpdir())).toThrow("no-such-folder: no such file or folder");
  });
});
