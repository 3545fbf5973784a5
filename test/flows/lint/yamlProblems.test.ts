import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFlowFile } from "../../../src/flows/loadFlowFile";
import { badIndentation } from "../../../src/flows/lint/yamlProblems";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const welcome = readFileSync(join(ROOT, "flows", "welcome.yaml"), "utf8").split("\n");
const edit = (line: number, change: (text: string) => string) => welcome.map((l, i) => (i === line - 1 ? change(l) : l)).join("\n");
const problems = (source: string) => loadFlowFile("flows/welcome.yaml", source).problems.map((p) => `${p.line}:${p.col} ${p.message}`);
/** The first line of welcome.yaml that is a field inside a step (not its first line). */
const fieldLine = welcome.findIndex((l, i) => i > 0 && /^ {4}\w+:/.test(l) && /^ {2}- /.test(welcome[i - 1]!)) + 1;

describe("YAML syntax problems", () => {
  it("reports one extra space at the line that has it, in words", () => {
    const key = welcome[fieldLine - 1]!.trim().split(":")[0];
    const above = welcome[fieldLine - 2]!.trim().replace(/^- /, "").split(":")[0];
    expect(problems(edit(fieldLine, (l) => ` ${l}`))).toEqual([
      `${fieldLine}:6 this line is indented 5 spaces, but "${above}" on line ${fieldLine - 1} is at 4 spaces; fields of the same step or list start in the same column`,
    ]);
    expect(key).toBeTruthy();
  });

  it("reports one missing space at the line that lacks it", () => {
    const [p, ...rest] = problems(edit(fieldLine, (l) => l.slice(1)));
    expect(rest).toEqual([]);
    expect(p).toMatch(new RegExp(`^${fieldLine}:4 this line is indented 3 spaces`));
  });

  it("reports one tab as one problem, at the tab", () => {
    expect(problems(edit(fieldLine, (l) => `\t${l.trimStart()}`))).toEqual([`${fieldLine}:1 tabs are not allowed for indentation; use spaces`]);
    expect(problems(edit(fieldLine, (l) => `  \t${l.trimStart()}`))).toEqual([`${fieldLine}:3 tabs are not allowed for indentation; use spaces`]);
  });

  it("words the other common mistakes", () => {
    expect(problems("steps:\n  - say: a: b\n")).toEqual(['2:10 a value contains ": "; put the value in quotes ("a: b") or move it to its own line']);
    expect(problems('steps:\n  - say: "abc\n  - end: true\n')).toEqual(["4:1 a quoted text is never closed; add the closing quote"]);
    expect(problems("steps:\n  - say: a:b\n    next: x\n    say: c:d\n")).toEqual(['4:5 "say" is written twice (first on line 2); keep one']);
  });

  it("accepts valid layouts: lists under keys at the same column, block texts, continued values", () => {
    expect(badIndentation("a:\n- x\n- y\nb: |\n   text\n     more\nc: long\n  continued value\nd:\n  - { x: 1,\n      y: 2 }\n  - k: v\n    j: w\n")).toBeUndefined();
  });
});
