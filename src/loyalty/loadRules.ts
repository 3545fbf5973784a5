import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { FlowFileError, type FlowProblem } from "../core/errors";
import { registerFileKind, type FlowSource } from "../flows/fileKinds";
import { describeIssue, positionOf } from "../flows/loadFlowFile";
import type { Translator } from "../i18n/Translator";
import { SUPPORTED_LOCALES } from "../i18n/locales";
import { DEFAULT_RULES, rulesSchema, type LoyaltyRules } from "./rules";

/** Where the rules live, beside the flows, so marketers and operators edit and lint them the same way. */
const RULES_FILE = "loyalty.yaml";

/** Parses and validates a rules file; every problem comes back with its line and column. */
export function parseRules(file: string, source: string, translator?: Translator): { rules?: LoyaltyRules; problems: FlowProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const posOf = (offset: number | undefined) => { const p = lines.linePos(offset ?? 0); return { line: p.line, col: p.col }; };
  const problems: FlowProblem[] = doc.errors.map((e) => ({ file, ...posOf(e.pos[0]), message: `YAML syntax: ${e.message.split("\n")[0]}` }));
  if (problems.length > 0) return { problems };
  const parsed = rulesSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path as (string | number)[];
      const at = issue.code === "unrecognized_keys" ? positionOf(doc, [...path, issue.keys[0]!], posOf, true) : positionOf(doc, path, posOf, false);
      problems.push({ file, ...at, message: describeIssue(issue) });
    }
    return { problems };
  }
  const rules = parsed.data.loyalty;
  if (translator) {
    rules.rewards.forEach((r, i) => {
      for (const locale of SUPPORTED_LOCALES) {
        if (!translator.has(locale, r.label)) problems.push({ file, ...positionOf(doc, ["loyalty", "rewards", i, "label"], posOf, false), message: `reward label "${r.label}" has no ${locale} translation` });
      }
    });
  }
  return { rules, problems };
}

/** Reads `<flowsDir>/loyalty.yaml`, or the built-in defaults when the folder has none. Throws FlowFileError listing every problem. */
export function loadRules(flowsDir: string): LoyaltyRules {
  const path = join(flowsDir, RULES_FILE);
  if (!existsSync(path)) return DEFAULT_RULES;
  const { rules, problems } = parseRules(path, readFileSync(path, "utf8"));
  if (!rules || problems.length > 0) throw new FlowFileError(problems);
  return rules;
}

/** A file with a top-level `loyalty:` key is the rules file, linted by `rapport flows lint` like a flow. */
function isRulesFile(source: FlowSource): boolean {
  return /^loyalty:/m.test(source.source);
}

registerFileKind({ name: "loyalty rules", claims: isRulesFile, lint: (s, translator) => parseRules(s.file, s.source, translator).problems });
