import type { LineCounter, YAMLError } from "yaml";
import type { Position } from "../types";

/** A YAML syntax problem in a marketer's words, at the place to fix it. */
export interface SyntaxProblem extends Position {
  message: string;
}

/**
 * Turns the YAML parser's errors into the one or few problems a person should fix. The parser
 * reports an error where it gave up, often the line before the real mistake, and one mistake
 * cascades (a tab gave 13 errors, issue #14). So: every tab used for indentation is one problem at
 * the tab; otherwise a line whose indentation fits nothing around it is the problem; otherwise the
 * parser's first error, reworded.
 */
export function yamlSyntaxProblems(source: string, errors: readonly YAMLError[], lines: LineCounter): SyntaxProblem[] {
  if (errors.length === 0) return [];
  const tabs = tabIndents(source);
  if (tabs.length > 0) return tabs;
  const first = errors[0]!;
  const at = lines.linePos(first.pos[0]);
  const indent = badIndentation(source);
  if (first.code === "DUPLICATE_KEY") return [{ ...at, message: duplicateKey(source, first.pos[0]) }];
  if (indent && indent.line <= at.line + 1) return [indent];
  return [{ ...at, message: reword(first, source) }];
}

/** One problem per line indented with a tab, at the tab. */
function tabIndents(source: string): SyntaxProblem[] {
  const out: SyntaxProblem[] = [];
  source.split(/\r?\n/).forEach((text, i) => {
    const lead = /^[ \t]*/.exec(text)![0];
    const tab = lead.indexOf("\t");
    if (tab >= 0 && text.trim() !== "") out.push({ line: i + 1, col: tab + 1, message: "tabs are not allowed for indentation; use spaces" });
  });
  return out;
}

/**
 * The first line whose indentation matches no open level: deeper than its siblings without a `key:`
 * above it to nest under, or between two levels. Block scalars (`|`, `>`), multi-line flow
 * collections and quoted text are skipped; a deeper line after `key: value` that reads like text
 * (no `key:` of its own, no `- `) continues the value, as YAML allows.
 */
export function badIndentation(source: string): SyntaxProblem | undefined {
  const levels: { col: number; line: number; key: string }[] = [];
  let opens = false; // the previous line ends with `key:` (or `-`): the next may go deeper
  let blockScalarAt = -1; // inside `key: |`: lines deeper than this are text
  let depth = 0; // unclosed [ and { of a multi-line flow collection
  const texts = source.split(/\r?\n/);
  for (let i = 0; i < texts.length; i++) {
    const raw = texts[i]!;
    if (raw.trim() === "" || raw.trim().startsWith("#")) continue;
    const indent = raw.length - raw.trimStart().length;
    if (blockScalarAt >= 0) {
      if (indent > blockScalarAt) continue;
      blockScalarAt = -1;
    }
    const content = stripComment(raw.trim());
    if (depth > 0) { depth += bracketBalance(content); continue; }
    if (content === "---" || content === "...") continue;
    const top = levels.at(-1);
    if (!top || (opens && indent > top.col) || (opens && indent === top.col && content.startsWith("-"))) {
      levels.push({ col: indent, line: i + 1, key: keyOf(content) });
    } else if (indent > top.col) {
      const looksLikeField = content.startsWith("- ") || content === "-" || /^[^'"\s][^:]*:(\s|$)/.test(content);
      if (looksLikeField) return misplaced(i + 1, indent, top);
      continue; // a plain value continued on the next line
    } else {
      while (levels.length > 0 && levels.at(-1)!.col > indent) levels.pop();
      const same = levels.at(-1);
      if (!same || same.col !== indent) return misplaced(i + 1, indent, same ?? { col: 0, line: 1, key: "" });
      same.line = i + 1;
      same.key = keyOf(content);
    }
    // `- key: value`: the item's fields start after the dash.
    let rest = content;
    let col = indent;
    while (/^-(\s+|$)/.test(rest)) {
      const dash = /^-\s*/.exec(rest)![0];
      col += dash.length;
      rest = rest.slice(dash.length);
      if (rest !== "") levels.push({ col, line: i + 1, key: keyOf(rest) });
    }
    opens = rest === "" || /:$/.test(rest);
    if (/:\s*[|>][-+0-9]*$/.test(rest)) { blockScalarAt = indent; opens = false; }
    depth = Math.max(0, bracketBalance(/^[[{]/.test(rest) ? rest : rest.replace(/^[^:]*:\s*/, "")));
  }
  return undefined;
}

function misplaced(line: number, indent: number, near: { col: number; line: number; key: string }): SyntaxProblem {
  const spaces = (n: number) => `${n} space${n === 1 ? "" : "s"}`;
  const what = near.key ? `"${near.key}" on line ${near.line}` : `line ${near.line}`;
  return { line, col: indent + 1, message: `this line is indented ${spaces(indent)}, but ${what} is at ${spaces(near.col)}; fields of the same step or list start in the same column` };
}

function keyOf(content: string): string {
  if (content.startsWith("-")) return "-";
  return /^(?:-\s+)*([^:\s'"][^:]*?):(\s|$)/.exec(content)?.[1] ?? "";
}

function stripComment(text: string): string {
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) { if (c === quote) quote = ""; continue; }
    if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i).trimEnd();
  }
  return text;
}

function bracketBalance(text: string): number {
  let n = 0;
  let quote = "";
  for (const c of text) {
    if (quote) { if (c === quote) quote = ""; continue; }
    if (c === "'" || c === '"') quote = c;
    else if (c === "[" || c === "{") n++;
    else if (c === "]" || c === "}") n--;
  }
  return n;
}

function duplicateKey(source: string, offset: number): string {
  const key = /^[\s-]*([^:\s]+)\s*:/.exec(source.slice(offset))?.[1];
  if (!key) return "the same field is written twice here; keep one";
  const before = source.slice(0, offset).split(/\r?\n/);
  const firstLine = before.map((l, i) => ({ l, i })).reverse().find(({ l }) => new RegExp(`^[\\s-]*${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*:`).test(l));
  return `"${key}" is written twice${firstLine ? ` (first on line ${firstLine.i + 1})` : ""}; keep one`;
}

/** The parser's message for the errors the checks above do not explain, in plainer words. */
function reword(error: YAMLError, source: string): string {
  const text = error.message.split("\n")[0]!;
  switch (error.code) {
    case "BLOCK_AS_IMPLICIT_KEY":
      if (/compact mappings/.test(text)) return 'a value contains ": "; put the value in quotes ("a: b") or move it to its own line';
      return "this line does not fit the structure above it; check its indentation and the line before it";
    case "MULTILINE_IMPLICIT_KEY":
      return "a field name must fit on one line; check the indentation and that the line above ends where you meant";
    case "MISSING_CHAR":
      if (/quote/.test(text)) return "a quoted text is never closed; add the closing quote";
      if (/[}\]]/.test(text) || /flow/i.test(text)) return "a { … } or [ … ] is not closed; add the closing bracket";
      return `something is missing here: ${text}`;
    case "BAD_INDENT":
      if (/Flow (map|sequence)/.test(text)) return "a { … } or [ … ] is not closed on this line, or the next line is not indented enough";
      return `indentation: ${lower(text)}`;
    case "UNEXPECTED_TOKEN":
      if (/scalar at node end/.test(text)) return "unexpected text after this value; put the whole value inside the quotes, or remove the extra text";
      return `unexpected text here: ${lower(text)}; check quotes, colons and indentation`;
    case "BAD_DQ_ESCAPE":
      return 'a backslash in "double quotes" starts an escape such as \\n; use single quotes to keep backslashes as they are';
    case "BAD_SCALAR_START":
      return `this value cannot start with "${source.slice(error.pos[0], error.pos[0] + 1)}" unquoted; put it in quotes`;
    default:
      return `YAML syntax: ${lower(text)}`;
  }
}

function lower(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
