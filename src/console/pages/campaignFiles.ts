import type { Campaign } from "../../campaigns/Campaign";
import { findCampaignFiles, lintCampaigns } from "../../campaigns/lintCampaigns";
import { loadCampaignFile } from "../../campaigns/loadCampaignFile";
import type { FlowProblem } from "../../core/errors";
import type { Flow } from "../../flows/types";
import type { Translator } from "../../i18n/Translator";
import { campaignGraph } from "../diagram/campaignGraph";
import { renderFlowSvg } from "../diagram/renderSvg";
import { html, Raw } from "../http/html";
import { textsTable } from "./textsTable";

/** One campaign file as the flows page lists it: the campaign when its fields are valid, and its lint problems. */
export interface CampaignFileView {
  name: string;
  file: string;
  source: string;
  campaign?: Campaign;
  flows: readonly Flow[];
  problems: FlowProblem[];
}

/**
 * Every file in flows/campaigns/ with its problems, linted as `rapport campaigns lint` lints them
 * (against the flows and texts served). A file whose fields are valid but whose texts or flows are
 * not still has its campaign, so its diagram shows beside its problems.
 */
export function readCampaignFiles(flowsDir: string, flows: readonly Flow[], translator: Translator): CampaignFileView[] {
  const sources = findCampaignFiles(flowsDir);
  const { problems } = lintCampaigns(sources, flows, translator);
  return sources.map((s) => ({
    name: s.file.replace(/^.*[\\/]/, "").replace(/\.ya?ml$/, ""),
    file: s.file,
    source: s.source,
    campaign: loadCampaignFile(s.file, s.source).campaign,
    flows,
    problems: problems.filter((p) => p.file === s.file),
  }));
}

/** A campaign file's view: problems (file:line:col), the diagram, the YAML and its texts in every language. */
export function campaignFileView(v: CampaignFileView, translator: Translator): Raw {
  const problems = v.problems.length > 0
    ? html`<section aria-labelledby="problems-h"><h2 id="problems-h">Problems</h2><ul class="problems">${v.problems.map((p) => html`<li><code class="pos">${p.file}:${p.line}:${p.col}</code> ${p.message}</li>`)}</ul></section>`
    : html`<p class="ok">No problems.</p>`;
  const c = v.campaign;
  const keys = c ? [...new Set(c.variants.flatMap((x) => (x.message ? [x.message.text, ...(x.message.buttons ?? []).map((b) => b.label)] : [])))] : [];
  return html`<h2>${v.file}</h2>
${c?.description ? html`<p>${c.description}</p>` : ""}
${problems}
${c ? html`<p class="legend">A campaign: nothing goes out until someone sends it (<code>npx rapport campaigns send ${c.name} --yes</code> or the HTTP API); its results are on the Reports page.</p>
<div class="diagram" data-campaign="${c.name}" data-variants="${c.variants.length}">${new Raw(renderFlowSvg(campaignGraph(c, v.flows), `Diagram of campaign ${c.name}`))}</div>` : html`<p>No diagram: the file does not load as a campaign.</p>`}
<section class="card" aria-labelledby="yaml-h"><h3 id="yaml-h">The file</h3>
<pre class="yaml" tabindex="0" aria-label="${v.file}"><code>${v.source.replace(/\s+$/, "").split("\n").map((l, j) => html`<span class="ln">${j + 1}</span>${l}\n`)}</code></pre>
${keys.length > 0 ? textsTable(keys, translator) : ""}
</section>`;
}
