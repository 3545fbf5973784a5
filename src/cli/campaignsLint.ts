import "../app/actions"; // flows are linted as served: their actions must be registered
import { formatProblem } from "../core/errors";
import { findCampaignFiles, lintCampaigns } from "../campaigns/lintCampaigns";
import { findFlowFiles, lintFlows } from "../flows/lintFlows";
import { Translator } from "../i18n/Translator";
import { readLocaleFiles } from "../i18n/readLocales";

/**
 * `rapport campaigns lint`: every campaign file in `<flowsDir>/campaigns/` checked against the flow
 * files and texts on disk, as `flows lint` checks flows: no database, no running bot, so it can run
 * in CI or on a laptop. Prints problems as file:line:col and returns the exit status (0 clean, 1
 * problems). Campaigns are checked against the flows that are valid; problems in flow files
 * themselves are left to `rapport flows lint`, and named here only by their count.
 */
export function runCampaignsLint(dirs: { flowsDir: string; localesDir: string }, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  const sources = findCampaignFiles(dirs.flowsDir);
  const locales = readLocaleFiles(dirs.localesDir);
  const translator = Translator.fromFiles(locales);
  const flows = lintFlows(findFlowFiles([dirs.flowsDir]), translator);
  const { campaigns, problems } = lintCampaigns(sources, flows.flows, translator);
  for (const p of problems) err.write(`${formatProblem(p)}\n`);
  const elsewhere = flows.problems.length + locales.problems.length;
  if (elsewhere > 0) err.write(`(${elsewhere} problem${elsewhere === 1 ? "" : "s"} in flow or locale files: rapport flows lint shows them; campaigns were checked against the valid flows)\n`);
  if (problems.length > 0) {
    err.write(`${problems.length} problem${problems.length === 1 ? "" : "s"} in ${new Set(problems.map((p) => p.file)).size} of ${sources.length} campaign files\n`);
    return 1;
  }
  out.write(`${campaigns.length} campaign file${campaigns.length === 1 ? "" : "s"} OK\n`);
  return 0;
}
