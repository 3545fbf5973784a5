import "../app/actions"; // the linter checks action names and the loyalty rules against what is registered
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { formatProblem } from "../core/errors";
import { findFlowFiles, lintFlows } from "../flows/lintFlows";
import { placeholdersAgainstEnglish } from "../flows/lint/texts";
import { Translator } from "../i18n/Translator";
import { readLocaleFiles } from "../i18n/readLocales";

/**
 * `rapport flows lint [files or folders]` (default: FLOWS_DIR): prints every problem in the flows and
 * the locale files as `file:line:col: message` and returns the exit status (0 clean, 1 problems).
 * Files named on their own are checked against the served folder (its flows are targets and own
 * their triggers), so a new file is linted as it would be served.
 */
export function runFlowsLint(paths: string[], dirs: { flowsDir: string; localesDir: string }, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  const targets = paths.length > 0 ? paths : [dirs.flowsDir];
  const sources = findFlowFiles(targets);
  if (sources.length === 0) {
    err.write(`no flow files (*.yaml) in ${targets.join(", ")}\n`);
    return 1;
  }
  const served = resolve(dirs.flowsDir);
  const context = paths.length > 0 && existsSync(served) && !targets.some((t) => resolve(t) === served) ? findFlowFiles([dirs.flowsDir]) : [];
  const locales = readLocaleFiles(dirs.localesDir);
  const translator = Translator.fromFiles(locales);
  const { problems } = lintFlows(sources, translator, { context });
  const all = [...locales.problems, ...placeholdersAgainstEnglish(translator), ...problems];
  for (const p of all) err.write(`${formatProblem(p)}\n`);
  if (all.length > 0) {
    const files = new Set(all.map((p) => p.file)).size;
    err.write(`${all.length} problem${all.length === 1 ? "" : "s"} in ${files} file${files === 1 ? "" : "s"} (${sources.length} flow file${sources.length === 1 ? "" : "s"} checked)\n`);
    return 1;
  }
  out.write(`${sources.length} flow file${sources.length === 1 ? "" : "s"} OK\n`);
  return 0;
}
