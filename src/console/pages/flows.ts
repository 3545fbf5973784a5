import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { FlowProblem } from "../../core/errors";
import { findFlowFiles, lintFlows } from "../../flows/lintFlows";
import { stepKinds } from "../../flows/steps";
import type { Flow, Step } from "../../flows/types";
import type { Translator } from "../../i18n/Translator";
import { SUPPORTED_LOCALES } from "../../i18n/locales";
import { flowGraph, triggerLabel } from "../diagram/flowGraph";
import { renderFlowSvg } from "../diagram/renderSvg";
import type { ConsolePage } from "../http/consoleRoutes";
import { html, Raw } from "../http/html";
import { page } from "../http/layout";
import { sendHtml } from "../http/respond";
import { sendJson } from "../../http/server";
import { CAMPAIGNS_DIR } from "../../campaigns/lintCampaigns";
import { campaignFileView, readCampaignFiles } from "./campaignFiles";
import { textsTable } from "./textsTable";

/** One flow file as the console lists it: its flow when it loaded, and its lint problems. */
interface FlowFileView {
  name: string;
  file: string;
  flow?: Flow;
  problems: FlowProblem[];
}

/**
 * Every file in the flows folder with its problems, linted together as the running app lints them
 * (so cross-flow targets and duplicate triggers are checked). Read on each request: a marketer who
 * saves a file sees its state on the next look, and a broken file is shown, not hidden.
 */
export function readFlowFiles(flowsDir: string, translator: Translator): FlowFileView[] {
  const sources = findFlowFiles([flowsDir]);
  const result = lintFlows(sources, translator);
  return sources.map((s) => ({
    name: s.file.replace(/^.*[\\/]/, "").replace(/\.ya?ml$/, ""),
    file: s.file,
    flow: result.flows.find((f) => f.file === s.file),
    problems: result.problems.filter((p) => p.file === s.file),
  }));
}

/**
 * A fingerprint of the flows and locales folders (names, sizes, times): the page asks for it every
 * few seconds and redraws when it changes, so a saved file shows at once, as hot reload serves it.
 */
export function flowsFingerprint(dirs: string[]): string {
  const h = createHash("sha256");
  const walk = (dir: string, depth: number) => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e);
      const s = statSync(p, { throwIfNoEntry: false });
      if (!s) continue;
      if (s.isDirectory()) { if (depth < 2) walk(p, depth + 1); } else h.update(`${p}\u0000${s.size}\u0000${s.mtimeMs}\n`);
    }
  };
  for (const d of dirs) walk(d, 0);
  return h.digest("hex").slice(0, 16);
}

/** The flows pages: the list with problems, one flow's diagram and step details, and the change fingerprint. */
export function flowsPages(deps: { flowsDir: string; localesDir: string; translator: () => Translator }): ConsolePage[] {
  return [
    {
      method: "GET", pattern: /^\/console\/flows$/, needs: "flows", what: "see flows",
      handle({ res, url, session }) {
        const translator = deps.translator();
        const files = readFlowFiles(deps.flowsDir, translator);
        const campaigns = readCampaignFiles(deps.flowsDir, files.flatMap((f) => (f.flow ? [f.flow] : [])), translator);
        const campaign = campaigns.find((c) => c.name === url.searchParams.get("campaign"));
        const chosen = campaign ? undefined : files.find((f) => f.name === url.searchParams.get("flow")) ?? files.find((f) => f.problems.length > 0) ?? files.find((f) => f.name === "welcome") ?? files[0];
        const badge = (n: number) => (n > 0 ? html` <span class="badge bad">${n} problem${n === 1 ? "" : "s"}</span>` : "");
        const body = html`
<div class="split">
<nav class="file-list" aria-label="Flow and campaign files"><h2 class="list-h">Flows</h2><ul>
${files.map((f) => html`<li><a href="/console/flows?flow=${encodeURIComponent(f.name)}"${f === chosen ? html` aria-current="page"` : ""}>${f.name}</a>${badge(f.problems.length)}</li>`)}
</ul>
<h2 class="list-h">Campaigns</h2>${campaigns.length === 0 ? html`<p class="hint">None in ${CAMPAIGNS_DIR}/.</p>` : html`<ul>
${campaigns.map((c) => html`<li><a href="/console/flows?campaign=${encodeURIComponent(c.name)}"${c === campaign ? html` aria-current="page"` : ""}>${c.name}</a>${badge(c.problems.length)}</li>`)}
</ul>`}</nav>
<div id="flow-view" data-fingerprint="${flowsFingerprint([deps.flowsDir, deps.localesDir])}">${campaign ? campaignFileView(campaign, translator) : chosen ? flowView(chosen, translator) : html`<p>No flow files in ${deps.flowsDir}.</p>`}</div>
</div>`;
        sendHtml(res, 200, page("Flows", session, body, "/console/flows", ["/console/assets/flows.js"]));
      },
    },
    {
      method: "GET", pattern: /^\/console\/api\/flows\/fingerprint$/, needs: "flows", what: "see flows",
      handle({ res }) {
        sendJson(res, 200, { fingerprint: flowsFingerprint([deps.flowsDir, deps.localesDir]) });
      },
    },
  ];
}

function flowView(f: FlowFileView, translator: Translator): Raw {
  const problems = f.problems.length > 0
    ? html`<section aria-labelledby="problems-h"><h2 id="problems-h">Problems</h2><ul class="problems">${f.problems.map((p) => html`<li><code class="pos">${p.file}:${p.line}:${p.col}</code> ${p.message}</li>`)}</ul></section>`
    : html`<p class="ok">No problems.</p>`;
  if (!f.flow) return html`<h2>${f.file}</h2>${problems}<p>No diagram: the file does not load as a flow${f.problems.length === 0 ? " (it is not a flow file)" : ""}.</p>`;
  const flow = f.flow;
  const graph = flowGraph(flow);
  return html`<h2>${f.file}</h2>
${flow.description ? html`<p>${flow.description}</p>` : ""}
${problems}
<p class="legend">Triggers: ${flow.triggers.map((t) => triggerLabel(t)).join(", ") || "none (reached from other flows)"}. Click a step to see its YAML and texts.</p>
<div class="diagram" data-flow="${flow.id}" data-steps="${flow.steps.length}">${new Raw(renderFlowSvg(graph, `Diagram of flow ${flow.id}`))}</div>
<div id="step-details" aria-live="polite">
${flow.steps.map((s) => stepDetail(flow, s, translator))}
</div>`;
}

function stepDetail(flow: Flow, step: Step, translator: Translator): Raw {
  const lines = flow.source.split("\n");
  const i = flow.steps.indexOf(step);
  const endLine = flow.steps[i + 1] ? flow.steps[i + 1]!.at.line - 1 : lines.length;
  const from = step.at.line;
  const shown = lines.slice(from - 1, Math.max(from, endLine)).join("\n").replace(/\s+$/, "");
  const keys = stepKinds.get(step.kind)?.keys(step.spec) ?? [];
  const unique = [...new Set(keys)];
  return html`<section class="step-detail card" data-step-detail="${step.id}" hidden aria-label="Step ${step.id}">
<h3>Step ${step.id.startsWith("#") ? `at line ${step.at.line}` : step.id} (${step.kind})</h3>
<p><code>${flow.file}:${from}</code></p>
<pre class="yaml"><code>${shown.split("\n").map((l, j) => html`<span class="ln">${from + j}</span>${l}\n`)}</code></pre>
${unique.length > 0 ? textsTable(unique, translator) : html`<p>This step shows no text.</p>`}
</section>`;
}

