import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import "../../src/app/actions";
import { formatProblem } from "../../src/core/errors";
import { findFlowFiles, lintFlows } from "../../src/flows/lintFlows";
import { Translator } from "../../src/i18n/Translator";

const ROOT = join(import.meta.dirname, "..", "..");
const DOCS = ["README.md", "flows/README.md"];
const translator = Translator.fromDirectory(join(ROOT, "locales"));
const served = findFlowFiles(["flows"], ROOT);

/** Every ```yaml block of a Markdown file, with the line it starts on. */
function yamlBlocks(file: string): { line: number; text: string }[] {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const out: { line: number; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== "```yaml") continue;
    const start = i + 1;
    while (i + 1 < lines.length && lines[i + 1]!.trim() !== "```") i++;
    out.push({ line: start + 1, text: lines.slice(start, i + 1).join("\n") + "\n" });
    i++;
  }
  return out;
}

/**
 * A block with `steps:` is a whole flow: linted as a new file beside the shipped flows, every
 * check on. A list of steps is a fragment of some flow: wrapped into one, it must still be valid
 * YAML with known kinds, fields, actions and translation keys; only what depends on the rest of
 * that flow (its other step ids, its variables) cannot be checked.
 */
const FRAGMENT_ONLY = [/goes to unknown step/, /can never run/, /is not set before this point/];

describe("the YAML examples in the docs lint clean", () => {
  const blocks = DOCS.flatMap((doc) => yamlBlocks(doc).map((b) => ({ doc, ...b })));

  it("finds the examples", () => {
    expect(blocks.length).toBeGreaterThan(6);
    expect(blocks.some((b) => /^steps:/m.test(b.text))).toBe(true);
  });

  it.each(blocks.map((b) => [`${b.doc}:${b.line}`, b] as const))("%s", (_name, block) => {
    const stepList = /^- /m.test(block.text.replace(/^\s*#.*$/gm, "").trimStart());
    if (!/^(steps|triggers):/m.test(block.text) && !stepList) {
      // Not a flow (a piece of flows/loyalty.yaml, say): it must at least be valid YAML.
      expect(parseDocument(block.text).errors.map((e) => `${block.doc}:${block.line + e.linePos![0].line - 1}: ${e.message}`)).toEqual([]);
      return;
    }
    const whole = /^steps:/m.test(block.text);
    const triggersOnly = /^triggers:/m.test(block.text) && !whole;
    const text = block.text.replace(/^(\s*)- …$/gm, "$1# …"); // "- …" stands for steps left out of an example
    const source = whole ? text : triggersOnly ? `${text}steps:\n  - end: true\n` : `steps:\n${text.replace(/^/gm, "  ")}`;
    const file = `docs-example-${block.line}.yaml`;
    const problems = lintFlows([{ file, source, modifiedAt: Date.now() }], translator, { context: served }).problems
      .filter((p) => whole || !FRAGMENT_ONLY.some((r) => r.test(p.message)))
      .map((p) => (p.file === file ? `${block.doc}:${block.line + p.line - (whole || triggersOnly ? 1 : 2)}:${p.col}: ${p.message}` : formatProblem(p)));
    expect(problems).toEqual([]);
  });
});

describe("flows/examples", () => {
  it("lint clean against the served flows (book-demo: a date and a time question, contact.set, a menu command)", () => {
    const examples = findFlowFiles(["flows/examples"], ROOT);
    expect(examples.map((e) => e.file)).toContain("flows/examples/book-demo.yaml");
    expect(lintFlows(examples, translator, { context: served }).problems.map(formatProblem)).toEqual([]);
  });
});
