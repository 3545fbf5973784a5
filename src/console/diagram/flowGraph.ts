import { stepKinds } from "../../flows/steps";
import type { Flow, Step, Trigger } from "../../flows/types";

/** A box in a flow's diagram. */
export interface GraphNode {
  id: string;
  /** step: one per step; trigger: what starts the flow; flow: another flow jumped to. */
  type: "step" | "trigger" | "flow";
  /** The step kind (ask, say, branch, …) for steps. */
  kind?: string;
  /** First line: the step id or the trigger; further lines: what it says, asks or calls. */
  lines: string[];
  /** The step's id, for steps (clicking it shows its YAML and texts). */
  stepId?: string;
}

/** An arrow: `goto` (goto, next, on_give_up), `branch` (a branch arm), `flow` (to another flow), `start`, `fall` (on to the next step). */
export interface GraphEdge {
  from: string;
  to: string;
  type: "goto" | "branch" | "flow" | "start" | "fall";
  label?: string;
}

/** A flow as a graph: what the console draws. */
export interface FlowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/**
 * Builds the diagram of a flow: a node per step, per trigger (commands, keywords, events, fallback)
 * and per other flow it jumps to; an edge per goto, branch arm and cross-flow jump, plus the
 * fall-through from a step to the next. Read from the loaded flow with the same step kinds the
 * runtime and lint use, so the picture cannot disagree with what runs.
 */
export function flowGraph(flow: Flow): FlowGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const nodeOf = (stepId: string) => `step:${stepId}`;
  const flowNodes = new Set<string>();
  const target = (t: string): string => {
    if (!t.startsWith("flow:")) return nodeOf(t);
    const id = `flow:${t.slice(5)}`;
    if (!flowNodes.has(id)) {
      flowNodes.add(id);
      nodes.push({ id, type: "flow", lines: [`→ flow ${t.slice(5)}`] });
    }
    return id;
  };
  for (const [i, trig] of flow.triggers.entries()) {
    const id = `trigger:${i}`;
    nodes.push({ id, type: "trigger", lines: [triggerLabel(trig)] });
    if (flow.steps[0]) edges.push({ from: id, to: nodeOf(flow.steps[0].id), type: "start" });
  }
  for (const step of flow.steps) nodes.push({ id: nodeOf(step.id), type: "step", kind: step.kind, stepId: step.id, lines: stepLines(step) });
  for (const [i, step] of flow.steps.entries()) {
    const from = nodeOf(step.id);
    const kind = stepKinds.get(step.kind);
    if (!kind) continue;
    if (step.kind === "branch") {
      for (const arm of step.spec.branch as ({ if: unknown; goto: string } | { else: string })[]) {
        const to = "goto" in arm ? arm.goto : arm.else;
        edges.push({ from, to: target(to), type: to.startsWith("flow:") ? "flow" : "branch", label: "goto" in arm ? conditionLabel(arm.if) : "else" });
      }
    } else {
      for (const t of kind.targets(step.spec)) edges.push({ from, to: target(t), type: t.startsWith("flow:") ? "flow" : "goto", label: step.kind === "ask" ? "gave up" : undefined });
    }
    if (step.next) edges.push({ from, to: target(step.next), type: step.next.startsWith("flow:") ? "flow" : "goto" });
    const falls = step.disabled || (!step.next && (kind.fallsThrough?.(step.spec) ?? true));
    const following = flow.steps[i + 1];
    if (falls && following && step.kind !== "end" && step.kind !== "return") edges.push({ from, to: nodeOf(following.id), type: "fall" });
  }
  return { nodes, edges: edges.filter((e) => nodes.some((n) => n.id === e.to)) };
}

/** How a trigger reads in the diagram: `/start`, `/start ref-…`, `keywords welcome:keywords`, `event nps.ask`, `fallback`. */
export function triggerLabel(t: Trigger): string {
  if (t.command) return `/${t.command}${t.payload ? ` ${t.payload}` : ""}`;
  if (t.keywords) return `keywords ${t.keywords}`;
  if (t.event) return `event ${t.event}`;
  return "fallback (any other text)";
}

function stepLines(step: Step): string[] {
  const head = `${step.id.startsWith("#") ? `line ${step.at.line}` : step.id} · ${step.kind}${step.disabled ? " (disabled)" : ""}`;
  const s = step.spec;
  const key = (v: unknown) => (typeof v === "string" ? v : v && typeof v === "object" && "key" in v ? String((v as { key: unknown }).key) : "");
  switch (step.kind) {
    case "say": return [head, key(s.say)];
    case "end": return [head, key(s.end)].filter(Boolean);
    case "ask": {
      const choices = (s.choices as { value: string }[] | undefined)?.map((c) => `[${c.value}]`).join(" ");
      return [head, key(s.ask), ...(choices ? [choices] : []), `→ vars.${String(s.save_as)}`];
    }
    case "action": {
      const w = s.with as { event?: unknown } | undefined;
      const event = s.action === "schedule.event" && typeof w?.event === "string" ? [`raises event ${w.event}`] : [];
      return [head, String(s.action), ...event, ...(s.save_as ? [`→ vars.${String(s.save_as)}`] : [])];
    }
    case "wait": return [head, String(s.wait)];
    default: return [head];
  }
}

/** A branch condition in a few words: `registration.awarded = true`, `contact tier = gold`, `any of 2`. */
export function conditionLabel(c: unknown): string {
  if (!c || typeof c !== "object") return "if";
  const o = c as Record<string, unknown>;
  const subject = typeof o.var === "string" ? o.var : typeof o.contact === "string" ? `contact ${o.contact}` : undefined;
  const ops: Record<string, string> = { equals: "=", not_equals: "≠", in: "in", not_in: "not in", gt: ">", gte: "≥", lt: "<", lte: "≤", exists: "exists:", matches: "matches" };
  for (const [op, sign] of Object.entries(ops)) {
    if (op in o && subject) return `${subject} ${sign} ${JSON.stringify(o[op])}`;
  }
  if (Array.isArray(o.all)) return `all of ${o.all.length}`;
  if (Array.isArray(o.any)) return `any of ${o.any.length}`;
  if (o.not) return `not (${conditionLabel(o.not)})`;
  return subject ?? "if";
}
