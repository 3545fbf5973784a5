import "../app/actions"; // the linter checks action names and the loyalty rules against what is registered
import { formatProblem } from "../core/errors";
import { findFlowFiles, lintFlows } from "../flows/lintFlows";
import { Translator } from "../i18n/Translator";

/**
 * `rapport flows lint [files or folders]` (default: FLOWS_DIR): prints every problem as `file:line:col: message` and
 * returns the exit status (0 clean, 1 problems).
 */
export function runFlowsLint(paths: string[], dirs: { flowsDir: string; localesDir: string }, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  const targets = paths.length > 0 ? paths : [dirs.flowsDir];
  const sources = findFlowFiles(targets);
  if (sources.length === 0) {
    err.write(`no flow files (*.yaml) in ${targets.join(", ")}\n`);
    return 1;
  }
  const { problems } = lintFlows(sources, Translator.fromDirectory(dirs.localesDir));
  for (const p of problems) err.write(`${formatProblem(p)}\n`);
  if (problems.length > 0) {
    err.write(`${problems.length} problem${problems.length === 1 ? "" : "s"} in ${new Set(problems.map((p) => p.file)).size} of ${sources.length} flow files\n`);
    return 1;
  }
  out.write(`${sources.length} flow file${sources.length === 1 ? "" : "s"} OK\n`);
  return 0;
}
