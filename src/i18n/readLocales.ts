import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Resource } from "i18next";
import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from "jsonc-parser";
import type { FlowProblem } from "../core/errors";
import { SUPPORTED_LOCALES } from "./locales";

/** Where a text is written: `locales/ru/welcome.json`, line and column of its value. */
export interface TextPosition {
  file: string;
  line: number;
  col: number;
}

/** The locale files read: texts for i18next, each problem positioned, and where each text is. */
export interface LocaleFiles {
  resources: Resource;
  problems: FlowProblem[];
  /** `${lng}\u0000${ns}:${dotted.key}` → where its text is written. */
  positions: Map<string, TextPosition>;
}

/**
 * Reads locales/<lng>/<namespace>.json for every supported locale. A file that is not valid JSON is
 * reported at file:line:col in plain words (a missing comma, a trailing comma, an unclosed quote)
 * and left out, so lint goes on with every other file; the app refuses to start or reload with it.
 */
export function readLocaleFiles(dir: string, cwd = process.cwd()): LocaleFiles {
  const resources: Resource = {};
  const problems: FlowProblem[] = [];
  const positions = new Map<string, TextPosition>();
  const shown = (f: string) => { const r = relative(cwd, f); return r && !r.startsWith("..") ? r : f; };
  for (const lng of SUPPORTED_LOCALES) {
    const folder = join(dir, lng);
    resources[lng] = {};
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).filter((n) => n.endsWith(".json")).sort()) {
      const file = shown(join(folder, name));
      const text = readFileSync(join(folder, name), "utf8");
      const ns = name.replace(/\.json$/, "");
      const errors: ParseError[] = [];
      const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
      const at = (offset: number) => lineCol(text, offset);
      if (errors.length > 0 || !tree) {
        const e = errors[0] ?? { error: 4 /* ValueExpected */, offset: 0, length: 0 };
        problems.push({ file, ...at(e.offset), message: jsonErrorText(e, text) });
        continue;
      }
      if (tree.type !== "object") {
        problems.push({ file, line: 1, col: 1, message: 'a locale file is one JSON object of texts: { "key": "text", … }' });
        continue;
      }
      resources[lng]![ns] = getNodeValue(tree);
      walk(tree, "", (key, node) => positions.set(`${lng}\u0000${ns}:${key}`, { file, ...at(node.offset) }));
    }
  }
  return { resources, problems, positions };
}

function walk(node: Node, prefix: string, visit: (key: string, value: Node) => void) {
  for (const prop of node.children ?? []) {
    const [k, v] = prop.children ?? [];
    if (!k || !v) continue;
    const key = prefix ? `${prefix}.${String(k.value)}` : String(k.value);
    if (v.type === "object") walk(v, key, visit);
    else visit(key, v);
  }
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

/** A JSON syntax error as a translator reads it. */
function jsonErrorText(e: ParseError, text: string): string {
  const prev = text.slice(0, e.offset).trimEnd().at(-1);
  switch (printParseErrorCode(e.error)) {
    case "CommaExpected":
      return "a comma is missing before this (texts are separated by commas)";
    case "PropertyNameExpected":
    case "ValueExpected":
      if (prev === ",") return "a comma before a closing } or ] is not allowed in JSON; remove it";
      return printParseErrorCode(e.error) === "PropertyNameExpected" ? 'expected a key in double quotes ("key": "text")' : "expected a text in double quotes here";
    case "ColonExpected":
      return 'a colon is missing after the key ("key": "text")';
    case "UnexpectedEndOfString":
      return "a text is not closed; add the closing double quote";
    case "CloseBraceExpected":
      return "a } is missing to close this object";
    case "InvalidSymbol":
      return text[e.offset] === "'" ? "JSON needs double quotes, not single quotes" : `unexpected "${text.slice(e.offset, e.offset + Math.max(1, e.length))}"; check quotes and commas`;
    case "InvalidEscapeCharacter":
      return 'an invalid escape after a backslash; write \\n for a line break and \\" for a quote';
    case "EndOfFileExpected":
      return "text after the end of the JSON object; a locale file is a single { … }";
    case "InvalidCommentToken":
      return "comments are not allowed in JSON";
    default:
      return "not valid JSON here";
  }
}
