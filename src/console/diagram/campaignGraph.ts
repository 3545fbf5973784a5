import type { Campaign } from "../../campaigns/Campaign";
import type { AudienceFilter } from "../../campaigns/schema";
import type { Flow } from "../../flows/types";
import type { FlowGraph, GraphEdge, GraphNode } from "./flowGraph";

/**
 * Builds the diagram of a campaign file (issue 18, "every flow and campaign file … a diagram"): when
 * it goes out, who the audience is (filters and exclusions), the A/B variants with their shares, what
 * each sends (a message with its buttons, or a flow or event it starts), and the flows those buttons,
 * starts and events lead to. Same node and edge shapes as flowGraph, so one renderer draws both.
 */
export function campaignGraph(campaign: Campaign, flows: readonly Flow[]): FlowGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const flowNode = (id: string): string => {
    const node = `flow:${id}`;
    if (!nodes.some((n) => n.id === node)) nodes.push({ id: node, type: "flow", lines: [`→ flow ${id}`] });
    return node;
  };
  const when = campaign.when.kind === "at" ? `at ${campaign.when.at.toISOString().slice(0, 16).replace("T", " ")} UTC` : campaign.when.kind === "ongoing" ? "ongoing (each newcomer)" : "now (when sent)";
  nodes.push({ id: "when", type: "trigger", lines: [`sent ${when}`] });
  nodes.push({ id: "audience", type: "step", kind: "audience", lines: ["audience", ...filterLines(campaign.audience), ...(campaign.audience.exclude ? filterLines(campaign.audience.exclude).map((l) => `not ${l}`) : [])] });
  edges.push({ from: "when", to: "audience", type: "start" });
  const several = campaign.variants.length > 1;
  for (const v of campaign.variants) {
    let from = "audience";
    if (several) {
      const id = `variant:${v.name}`;
      nodes.push({ id, type: "step", kind: "variant", lines: [`variant ${v.name} · ${v.split} %`] });
      edges.push({ from, to: id, type: "branch", label: `${v.split} %` });
      from = id;
    }
    const bonus = campaign.bonus ? [`+${campaign.bonus.points} points`] : [];
    if (v.message) {
      const id = `message:${v.name}`;
      nodes.push({ id, type: "step", kind: "message", lines: ["message", v.message.text, ...(v.message.buttons ?? []).map((b) => `[${b.label}]`), ...bonus] });
      edges.push({ from, to: id, type: several ? "goto" : "start" });
      for (const b of v.message.buttons ?? []) edges.push({ from: id, to: flowNode(b.flow), type: "flow", label: b.label });
    } else if (v.start) {
      const id = `start:${v.name}`;
      const isFlow = "flow" in v.start;
      nodes.push({ id, type: "step", kind: "start", lines: [isFlow ? "starts a flow" : `raises event ${(v.start as { event: string }).event}`, ...bonus] });
      edges.push({ from, to: id, type: several ? "goto" : "start" });
      if ("flow" in v.start) edges.push({ from: id, to: flowNode(v.start.flow), type: "flow" });
      else {
        const event = v.start.event;
        for (const f of flows.filter((f) => f.triggers.some((t) => t.event === event))) edges.push({ from: id, to: flowNode(f.id), type: "flow", label: `event ${event}` });
      }
    }
  }
  return { nodes, edges };
}

/** An audience filter as short lines: `segment at_risk or lost`, `inactive for 30d`, `city = Warsaw`. */
export function filterLines(f: AudienceFilter): string[] {
  const out: string[] = [];
  const list = (v: readonly (string | number | boolean)[]) => v.join(" or ");
  if (f.segment) out.push(`segment ${list(f.segment)}`);
  if (f.tier) out.push(`tier ${list(f.tier)}`);
  if (f.language) out.push(`language ${list(f.language)}`);
  if (f.points) out.push(`points ${range(f.points)}`);
  if (f.last_seen) out.push(`wrote within ${f.last_seen}`);
  if (f.inactive_for) out.push(`inactive for ${f.inactive_for}`);
  if (f.has_purchased !== undefined) out.push(f.has_purchased ? "has purchased" : "never purchased");
  if (f.referrals) out.push(`referrals ${range(f.referrals)}`);
  for (const [k, t] of Object.entries(f.attributes ?? {})) {
    if (typeof t !== "object") out.push(`${k} = ${String(t)}`);
    else out.push(`${k} ${Object.entries(t).map(([op, v]) => `${op} ${Array.isArray(v) ? list(v) : String(v)}`).join(", ")}`);
  }
  if (f.contacts) out.push(`${f.contacts.length} listed contact${f.contacts.length === 1 ? "" : "s"}`);
  return out;
}

function range(r: { min?: number; max?: number }): string {
  if (r.min !== undefined && r.max !== undefined) return `${r.min}–${r.max}`;
  return r.min !== undefined ? `≥ ${r.min}` : `≤ ${r.max}`;
}
