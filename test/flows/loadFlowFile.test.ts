import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadFlowFile } from "../../src/flows/loadFlowFile";

/** Joins lines into a flow file, so line numbers in the assertions are easy to count. */
const yaml = (...lines: string[]) => `${lines.join("\n")}\n`;

/** The problems as `line:col message`, the shape a marketer reads. */
const where = (file: string, source: string) => loadFlowFile(file, source).problems.map((p) => `${p.line}:${p.col} ${p.message}`);

describe("loadFlowFile", () => {
  describe("a valid file", () => {
    const source = yaml(
      "description: Sign-up",               // 1
      "triggers:",                          // 2
      "  - command: start",                 // 3
      "    payload: 'ref-(?<code>\\w+)'",   // 4
      "  - keywords: welcome:keywords",     // 5
      "  - event: ticket.resolved",         // 6
      "  - fallback: true",                 // 7
      "steps:",                             // 8
      "  - say: welcome:greeting",          // 9
      "  - id: rate",                       // 10
      "    ask: signup:rating",             // 11
      "    type: rating",                   // 12
      "    save_as: rating",                // 13
      "    next: bye",                      // 14
      "  - id: skipped",                    // 15
      "    disabled: true",                 // 16
      "    say: signup:thanks",             // 17
      "  - id: bye",                        // 18
      "    end: true",                      // 19
    );
    const result = loadFlowFile("flows/signup-2.yaml", source);

    it("has no problems and takes its id from the file name", () => {
      expect(result.problems).toEqual([]);
      expect(result.flow?.id).toBe("signup-2");
      expect(result.flow?.file).toBe("flows/signup-2.yaml");
      expect(result.flow?.description).toBe("Sign-up");
      expect(result.flow?.version).toBe(0);
      expect(result.flow?.source).toBe(source);
    });

    it("keeps each trigger with the position it is written at", () => {
      expect(result.flow?.triggers).toEqual([
        { command: "start", payload: "ref-(?<code>\\w+)", at: { line: 3, col: 5 } },
        { keywords: "welcome:keywords", at: { line: 5, col: 5 } },
        { event: "ticket.resolved", at: { line: 6, col: 5 } },
        { fallback: true, at: { line: 7, col: 5 } },
      ]);
    });

    it("names steps without an id #<n> and separates common fields from the kind's spec", () => {
      expect(result.flow?.steps.map(({ valueAt: _, ...s }) => s)).toEqual([
        { id: "#1", kind: "say", spec: { say: "welcome:greeting" }, next: undefined, disabled: false, at: { line: 9, col: 5 } },
        { id: "rate", kind: "ask", spec: { ask: "signup:rating", type: "rating", save_as: "rating" }, next: "bye", disabled: false, at: { line: 10, col: 5 } },
        { id: "skipped", kind: "say", spec: { say: "signup:thanks" }, next: undefined, disabled: true, at: { line: 15, col: 5 } },
        { id: "bye", kind: "end", spec: { end: true }, next: undefined, disabled: false, at: { line: 18, col: 5 } },
      ]);
    });

    it("hashes the exact source text", () => {
      expect(result.flow?.hash).toBe(createHash("sha256").update(source).digest("hex"));
      expect(loadFlowFile("flows/signup-2.yaml", `${source}# comment\n`).flow?.hash).not.toBe(result.flow?.hash);
    });

    it("accepts the .yml extension", () => {
      expect(loadFlowFile("some/dir/menu_2.yml", yaml("steps:", "  - end: true")).flow?.id).toBe("menu_2");
    });
  });

  describe("YAML syntax errors", () => {
    it("reports a stray scalar at its line and column and returns no flow", () => {
      const r = loadFlowFile("flows/x.yaml", yaml("steps:", '  - say: "a:b" x'));
      expect(r.flow).toBeUndefined();
      expect(r.problems).toEqual([{ file: "flows/x.yaml", line: 2, col: 16, message: "unexpected text after this value; put the whole value inside the quotes, or remove the extra text" }]);
    });

    it("reports a duplicated key where the second one is written", () => {
      expect(where("flows/x.yaml", yaml("steps:", "  - say: a:b", "    say: c:d"))).toEqual(['3:5 "say" is written twice (first on line 2); keep one']);
    });

    it("reports tab indentation at the start of the line", () => {
      expect(where("flows/x.yaml", yaml("steps:", "  - say: a:b", "\tnext: x"))).toEqual(["3:1 tabs are not allowed for indentation; use spaces"]);
    });

    it("keeps only the first line of yaml's message", () => {
      const r = loadFlowFile("flows/x.yaml", yaml("steps:", "  - say: a: b"));
      expect(r.problems[0]).toMatchObject({ line: 2, col: 10 });
      for (const p of r.problems) expect(p.message).not.toContain("\n");
    });
  });

  describe("step kinds", () => {
    const source = yaml(
      "triggers:",             // 1
      "  - command: survey",   // 2
      "steps:",                // 3
      "  - id: one",           // 4
      "    ask_choise: a:b",   // 5
      "    save_as: x",        // 6
    );

    it("names an unknown kind, suggests the closest and lists the known ones", () => {
      const [p, ...rest] = loadFlowFile("flows/survey.yaml", source).problems;
      expect(rest).toEqual([]);
      expect(p?.message).toBe('unknown step kind "ask_choise"; did you mean "ask"? Known kinds: say, ask, branch, action, goto, end, return, wait.');
    });

    it("positions an unknown kind at its key, not at its value", () => {
      const [p] = loadFlowFile("flows/survey.yaml", source).problems;
      expect(p).toMatchObject({ file: "flows/survey.yaml", line: 5, col: 5 });
    });

    it("offers no suggestion when nothing is close", () => {
      const [p] = loadFlowFile("flows/x.yaml", yaml("steps:", "  - launch_rocket: now")).problems;
      expect(p?.message).toBe('unknown step kind "launch_rocket" Known kinds: say, ask, branch, action, goto, end, return, wait.');
      expect(p?.line).toBe(2);
    });

    it("reports a step with only common fields as having no kind", () => {
      expect(where("flows/x.yaml", yaml("steps:", "  - id: a", "    next: b"))).toEqual([
        "2:5 step 1 has no kind; start it with one of: say, ask, branch, action, goto, end, return, wait",
      ]);
    });

    it("reports a step that mixes two kinds", () => {
      expect(where("flows/x.yaml", yaml("steps:", "  - say: a:b", "  - say: a:b", "    goto: x"))).toEqual([
        "3:5 step 2 mixes kinds say and goto; split it into one step per kind",
      ]);
    });
  });

  describe("step fields", () => {
    const source = yaml(
      "steps:",               // 1
      "  - id: q",            // 2
      "    ask: signup:email", // 3
      "    type: email",      // 4
      "    sav_as: email",    // 5
    );

    it("names an unknown field in a step at the misspelt key", () => {
      expect(where("flows/x.yaml", source)).toEqual(['5:5 ask step: unknown field "sav_as"; did you mean "save_as"?']);
    });

    // One mistake, one problem: the misspelling is not also reported as a missing save_as (issue #14).
    it("names a missing field when nothing misspells it, and explains wrong values in plain words", () => {
      expect(where("flows/x.yaml", yaml("steps:", "  - id: q", "    ask: a:q", "    type: emial", "    max_attempts: three")).sort()).toEqual([
        '2:5 ask step: save_as: required, but missing',
        '4:11 ask step: type: "emial" is not one of choice, text, number, rating, email, date, time; did you mean "email"?',
        '5:19 ask step: max_attempts: must be a number, got "three"',
      ]);
    });

    it("suggests the field a trigger or the file meant", () => {
      expect(where("flows/x.yaml", yaml("trigers:", "  - command: a", "steps:", "  - end: true"))).toEqual(['1:1 unknown field "trigers"; did you mean "triggers"?']);
      expect(where("flows/x.yaml", yaml("triggers:", "  - commnd: a", "steps:", "  - end: true"))[0]).toMatch(/^2:5 unknown trigger field "commnd"; did you mean "command"\?/);
    });

    it("keeps where each text of a step is written, for lint to point at", () => {
      const flow = loadFlowFile("flows/x.yaml", yaml("steps:", "  - ask: a:q", "    choices:", "      - { value: y, label: a:yes }", "    save_as: x")).flow!;
      expect(flow.steps[0]!.valueAt).toMatchObject({ "a:q": { line: 2, col: 10 }, "a:yes": { line: 4, col: 28 }, x: { line: 5, col: 14 } });
      expect(flow.steps[0]!.valueAt).not.toHaveProperty("choices");
    });

    it("names an unknown top-level field at its key", () => {
      expect(loadFlowFile("flows/x.yaml", yaml("description: x", "steps:", "  - end: true", "author: me")).problems)
        .toEqual([{ file: "flows/x.yaml", line: 4, col: 1, message: 'unknown field "author"; fields here: description, notice, triggers, steps' }]);
    });

    it("requires choices on a choice question, at the question", () => {
      expect(where("flows/x.yaml", yaml("steps:", "  - id: q", "    ask: a:q", "    type: choice", "    save_as: x"))).toEqual([
        "3:10 ask step: ask: a choice question needs `choices`",
      ]);
    });

    it("refuses choices on a question of another type, at the choices", () => {
      expect(where("flows/x.yaml", yaml(
        "steps:",
        "  - ask: a:q",
        "    type: text",
        "    choices:",
        "      - { value: a, label: a:a }",
        "    save_as: x",
      ))).toEqual(["4:5 ask step: choices: `choices` only go with type: choice (this question is type: text)"]);
    });

    it("explains a malformed save_as", () => {
      expect(where("flows/x.yaml", yaml("steps:", "  - ask: a:q", "    save_as: e-mail"))).toEqual([
        "3:14 ask step: save_as: save_as must be a simple name such as email or menu_choice",
      ]);
    });

    it("rejects an invalid step id at the id's value", () => {
      expect(where("flows/x.yaml", yaml("steps:", "  - id: Greet", "    say: a:b"))).toEqual([
        '2:9 step id "Greet" must be lowercase letters, digits, - or _',
      ]);
    });

    it("reports a duplicate step id at the second one and names the first line", () => {
      expect(where("flows/x.yaml", yaml("steps:", "  - id: a", "    say: a:b", "  - id: a", "    say: a:c"))).toEqual([
        '4:9 duplicate step id "a" (first at line 2)',
      ]);
    });

    it("checks the types of next and disabled", () => {
      expect(where("flows/x.yaml", yaml("steps:", "  - say: a:b", "    next: 3", '    disabled: "yes"'))).toEqual([
        "3:11 next must be a step id or flow:<id>",
        "4:15 disabled must be true or false",
      ]);
    });

    it("needs at least one step", () => {
      expect(where("flows/x.yaml", "steps: []\n")).toEqual(["1:1 steps: a flow needs at least one step"]);
      expect(where("flows/x.yaml", "")).toEqual(["1:1 steps: required, but missing"]);
    });
  });

  describe("triggers", () => {
    it("rejects a trigger that fits none of the forms, naming it and its number", () => {
      expect(where("flows/x.yaml", yaml("triggers:", "  - command: start", "  - command: Start", "  - keyword: menu", "steps:", "  - end: true"))).toEqual([
        "3:14 trigger: command: commands are lowercase letters, digits and _ (Telegram's rule), without the slash",
        '4:5 unknown trigger field "keyword"; did you mean "keywords"? A trigger is one of command (with optional payload, menu, menu_order), keywords, event (with optional data) or fallback: true.',
      ]);
    });

    it("rejects a command with a slash, a bad event name and fallback: false", () => {
      const problems = loadFlowFile("flows/x.yaml", yaml(
        "triggers:",
        "  - command: /start",
        "  - event: Ticket-Resolved",
        "  - fallback: false",
        "steps:",
        "  - end: true",
      )).problems;
      expect(problems.map((p) => `${p.line}:${p.col} ${p.message}`)).toEqual([
        "2:14 trigger: command: commands are lowercase letters, digits and _ (Telegram's rule), without the slash",
        "3:12 trigger: event: event names look like ticket.resolved",
        "4:15 trigger: fallback: must be true, not false",
      ]);
    });

    it("reports a payload that is not a regular expression at the payload", () => {
      const [p, ...rest] = loadFlowFile("flows/x.yaml", yaml(
        "triggers:",
        "  - command: start",
        '    payload: "ref-(?<code>[A-Z"',
        "steps:",
        "  - end: true",
      )).problems;
      expect(rest).toEqual([]);
      expect(p).toMatchObject({ line: 3, col: 14 });
      expect(p?.message).toMatch(/^payload is not a valid regular expression: .*Unterminated character class/);
    });
  });

  it("rejects a file name that is not a valid flow id, at 1:1, and returns no flow", () => {
    const r = loadFlowFile("flows/Spring Sale.yaml", yaml("steps:", "  - end: true"));
    expect(r.flow).toBeUndefined();
    expect(r.problems).toEqual([{
      file: "flows/Spring Sale.yaml", line: 1, col: 1,
      message: 'flow file name "Spring Sale.yaml" must be lowercase letters, digits, - or _ (it is the flow\'s id)',
    }]);
  });

  it("reports every problem of a file at once", () => {
    const problems = loadFlowFile("flows/x.yaml", yaml(
      "triggers:",
      "  - command: Start",
      "steps:",
      "  - id: a",
      "    say: a:b",
      "  - id: a",
      "    goto: a",
      "  - sayy: a:c",
    )).problems;
    expect(problems.map((p) => p.line)).toEqual([2, 6, 8]);
  });

  describe("a notice (notice: true, issue 19)", () => {
    it("is marked on the flow when it only tells", () => {
      const r = loadFlowFile("thanks.yaml", yaml("notice: true", "triggers:", "  - event: purchase.recorded", "steps:", "  - say: orders:thanks.first", "  - goto: done", "  - id: done", "    end: true"));
      expect(r.problems).toEqual([]);
      expect(r.flow?.notice).toBe(true);
      expect(loadFlowFile("plain.yaml", yaml("steps:", "  - end: true")).flow?.notice).toBeUndefined();
    });

    it("refuses a question, a wait, a return and another flow in a notice, at the step", () => {
      expect(where("thanks.yaml", yaml(
        "notice: true",                       // 1
        "triggers:",                          // 2
        "  - event: purchase.recorded",       // 3
        "steps:",                             // 4
        "  - ask: x:y",                       // 5
        "    type: text",                     // 6
        "    save_as: a",                     // 7
        "  - wait: 2h",                       // 8
        "  - goto: flow:menu",                // 9
        "  - say: x:z",                       // 10
        "    next: flow:help",                // 11
        "  - return: true",                   // 12
      ))).toEqual([
        "5:5 a notice cannot ask a question: a notice (notice: true) only tells, and runs while the customer may be at another flow's question; remove notice: true or this step",
        "8:5 a notice cannot wait: a notice (notice: true) only tells, and runs while the customer may be at another flow's question; remove notice: true or this step",
        "9:5 a notice cannot go to another flow (flow:menu): a notice (notice: true) only tells, and runs while the customer may be at another flow's question; remove notice: true or this step",
        "10:5 a notice cannot go to another flow (flow:help): a notice (notice: true) only tells, and runs while the customer may be at another flow's question; remove notice: true or this step",
        "12:5 a notice cannot return to a question: a notice (notice: true) only tells, and runs while the customer may be at another flow's question; remove notice: true or this step",
      ]);
    });
  });
});
