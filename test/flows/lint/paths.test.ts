import { describe, expect, it } from "vitest";
import "../../../src/app/actions";
import { formatProblem } from "../../../src/core/errors";
import { lintFlows, type FlowSource } from "../../../src/flows/lintFlows";
import { checkPath, placeholders } from "../../../src/flows/lint/paths";
import { Translator } from "../../../src/i18n/Translator";
import { SUPPORTED_LOCALES } from "../../../src/i18n/locales";

const yaml = (...lines: string[]) => `${lines.join("\n")}\n`;
const texts = (extra: Record<string, string> = {}) => Translator.fromResources(Object.fromEntries(SUPPORTED_LOCALES.map((l) => [l, {
  t: { q: "Name?", hi: "Hi {{vars.name}}", typo: "Hi {{vars.nmae}}", ev: "Ticket {{vars.event.ticketId}}", evtypo: "Ticket {{vars.event.tiketId}}", pts: "{{contact.pionts}} points", ...extra },
  common: { retry: { text_one: "1 {{count}}", text_few: "f {{count}}", text_many: "m {{count}}", text_other: "{{count}}" } },
}])));
const lint = (source: string, t = texts()) => lintFlows([{ file: "flows/a.yaml", source } as FlowSource], t).problems.map(formatProblem);

describe("{{…}} checks", () => {
  it("finds placeholders with formats and the unescaped form", () => {
    expect(placeholders("{{a}} {{- b.c}} {{ vars.d , date }}").map((p) => p.path)).toEqual(["a", "b.c", "vars.d"]);
  });

  it("accepts a variable saved by an earlier step and reports a typo with a suggestion", () => {
    expect(lint(yaml("steps:", "  - ask: t:q", "    save_as: name", "  - say: t:hi"))).toEqual([]);
    const problems = lint(yaml("steps:", "  - ask: t:q", "    save_as: name", "  - say: t:typo"));
    expect(problems).toHaveLength(6); // once per locale, each at the text to fix
    expect(problems[0]).toBe('flows/a.yaml:4:10: {{vars.nmae}} in locales/en/t.json "typo": "vars.nmae" is not set before this point; did you mean "vars.name"? Set here: vars.name. (shown by the step at flows/a.yaml:4)');
  });

  it("does not let a step read what only a later step sets", () => {
    expect(lint(yaml("steps:", "  - say: t:hi", "  - ask: t:q", "    save_as: name"))[0]).toContain('"vars.name" is not set before this point. No variable is set here yet');
  });

  it("knows what a branch may have set (any path) and loops", () => {
    expect(lint(yaml(
      "steps:",
      "  - id: top",
      "    branch:",
      "      - if: { var: name, exists: true }",
      "        goto: greet",
      "  - ask: t:q",
      "    save_as: name",
      "    next: top",
      "  - id: greet",
      "    say: t:hi",
    ))).toEqual([]);
  });

  it("checks event data, action results, contact fields and condition variables", () => {
    const t = texts();
    expect(lint(yaml("triggers:", "  - event: ticket.resolved", "steps:", "  - say: t:ev"), t)).toEqual([]);
    expect(lint(yaml("triggers:", "  - event: ticket.resolved", "steps:", "  - say: t:evtypo"), t)[0]).toContain('the event data has no "tiketId"; did you mean "vars.event.ticketId"?');
    expect(lint(yaml("triggers:", "  - event: custom.thing", "    data: [tiketId]", "steps:", "  - say: t:evtypo"), t)).toEqual([]);
    expect(lint(yaml("steps:", "  - say: t:pts"), t)[0]).toContain('contacts have no field "pionts"; did you mean "contact.points"?');
    expect(lint(yaml("steps:", "  - action: faq.answer", "    with: { question: \"{{vars.txt}}\" }", "    save_as: faq", "  - branch:", "      - if: { var: faq.fonud, equals: true }", "        goto: flow:a"), t)).toEqual([
      'flows/a.yaml:3:23: {{vars.txt}}: "vars.txt" is not set before this point. No variable is set here yet (save_as sets one).',
      'flows/a.yaml:6:20: the result of faq.answer has no "fonud"; did you mean "vars.faq.found"? It has: found, topic, question, answer.',
    ]);
  });

  it("allows {{count}} only where a count is given", () => {
    expect(checkPath("count", { vars: new Map(), attributes: new Set(), names: ["count"] })).toBeUndefined();
    expect(checkPath("count", { vars: new Map(), attributes: new Set(), names: [] })).toContain('"count" is not available here');
  });
});
