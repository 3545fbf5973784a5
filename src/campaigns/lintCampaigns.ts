import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { FlowProblem } from "../core/errors";
import { attributeNames } from "../flows/lintFlows";
import { checkKeyUse } from "../flows/lint/texts";
import { suggest } from "../flows/suggest";
import type { Flow, Position } from "../flows/types";
import type { Translator } from "../i18n/Translator";
import type { Campaign } from "./Campaign";
import { loadCampaignFile } from "./loadCampaignFile";

/** Where campaign files live, inside the flows folder: `flows/campaigns/<name>.yaml`. */
export const CAMPAIGNS_DIR = "campaigns";

/** A campaign file's path (as shown in messages) and text. */
export interface CampaignSource {
  file: string;
  source: string;
}

/** The campaign files of a flows folder, sorted by name (none when the folder has no campaigns/). */
export function findCampaignFiles(flowsDir: string, cwd = process.cwd()): CampaignSource[] {
  const dir = join(flowsDir, CAMPAIGNS_DIR);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const shown = (f: string) => { const r = relative(cwd, f); return r && !r.startsWith("..") ? r : f; };
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => ({ file: shown(join(dir, f)), source: readFileSync(join(dir, f), "utf8") }));
}

/**
 * Lints campaign files against the flows and translations they use: every text key exists in every
 * language (with the plural forms a `count` needs, and only {{contact.*}}, {{count}} and {{bonus}}
 * in it), each button's and `start:`'s flow exists (a button's needs a command to be pressed into),
 * an event to start has a flow listening. Problems are positioned file:line:col like flows'.
 */
export function lintCampaigns(sources: CampaignSource[], flows: readonly Flow[], translator: Translator): { campaigns: Campaign[]; problems: FlowProblem[] } {
  const campaigns: Campaign[] = [];
  const problems: FlowProblem[] = [];
  const attributes = attributeNames([...flows]);
  const flowIds = flows.map((f) => f.id);
  const events = [...new Set(flows.flatMap((f) => f.triggers.flatMap((t) => (t.event ? [t.event] : []))))].sort();
  for (const { file, source } of sources) {
    const loaded = loadCampaignFile(file, source);
    problems.push(...loaded.problems);
    const c = loaded.campaign;
    if (!c) continue;
    const at = (value: string): Position => c.valueAt[value] ?? { line: 1, col: 1 };
    const own: FlowProblem[] = [];
    const here = (value: string, message: string) => own.push({ file, ...at(value), message });
    const scope = { vars: new Map(), attributes, names: ["count", "bonus"] };
    const step = `campaign "${c.name}"`;
    for (const v of c.variants) {
      if (v.message) {
        own.push(...checkKeyUse(translator, { key: v.message.text, file, at: at(v.message.text), step, plural: v.message.count !== undefined, scope }));
        for (const b of v.message.buttons ?? []) {
          own.push(...checkKeyUse(translator, { key: b.label, file, at: at(b.label), step, plural: false, scope }));
          const flow = flows.find((f) => f.id === b.flow);
          if (!flow) here(b.flow, unknownFlow(b.flow, flowIds));
          else if (!buttonCommand(flow)) here(b.flow, `flow "${b.flow}" has no command, so a button cannot start it; give it a trigger such as - command: ${b.flow.replace(/-/g, "_")}`);
        }
        if (v.message.count === "bonus.points" && !c.bonus) here(v.message.text, "count: bonus.points, but the campaign has no bonus; add bonus: { points: 100 } or count another field");
      }
      if (v.start && "flow" in v.start && !flowIds.includes(v.start.flow)) here(v.start.flow, unknownFlow(v.start.flow, flowIds));
      if (v.start && "event" in v.start && !events.includes(v.start.event)) {
        const hint = suggest(v.start.event, events);
        here(v.start.event, `no flow listens to the event "${v.start.event}"${hint ? `; did you mean "${hint}"?` : "."} Events flows listen to: ${events.join(", ") || "(none)"}`);
      }
    }
    // One problem once: variants sharing the campaign's message would repeat it.
    const seen = new Set<string>();
    for (const p of own) {
      const key = `${p.file}:${p.line}:${p.col}:${p.message}`;
      if (!seen.has(key)) { seen.add(key); problems.push(p); }
    }
    if (own.length === 0) campaigns.push(c);
  }
  return { campaigns, problems };
}

/** The command a campaign button sends to start `flow` (its first plain command), if it has one. */
export function buttonCommand(flow: Flow): string | undefined {
  return flow.triggers.find((t) => t.command && t.payload === undefined)?.command;
}

function unknownFlow(id: string, known: string[]): string {
  const hint = suggest(id, known);
  return `there is no flow "${id}"${hint ? `; did you mean "${hint}"?` : "."} Flows: ${known.join(", ")}`;
}
