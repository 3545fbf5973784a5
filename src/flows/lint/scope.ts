import { stepKinds } from "../steps";
import type { Flow, Step } from "../types";

/** How a variable came to exist: the customer's answer, an action's result, or the trigger. */
export interface VarOrigin {
  from: "answer" | "action" | "trigger";
  /** For `from: "action"`: the action whose result it is (its declared result fields are checked). */
  action?: string;
}

/** The variables a step may read: those some path from a trigger to the step has set. */
export type Scope = ReadonlyMap<string, VarOrigin>;

/** Variables a trigger starts the flow with (FlowCatalog.matchCommand, FlowRuntime.start). */
export function triggerVars(flow: Flow): Map<string, VarOrigin> {
  const vars = new Map<string, VarOrigin>();
  const trigger: VarOrigin = { from: "trigger" };
  for (const t of flow.triggers) {
    if (t.command) vars.set("payload", trigger);
    if (t.payload) for (const m of t.payload.matchAll(/\(\?<([A-Za-z_]\w*)>/g)) vars.set(m[1]!, trigger);
    if (t.event) vars.set("event", trigger);
    if (t.fallback) { vars.set("text", trigger); vars.set("digression", trigger); } // typed at another flow's question
    if (t.command || t.keywords) vars.set("interrupted", trigger); // the flow it ended, when it cut one short
  }
  return vars;
}

/** The variable a step sets once it has run (an answer, an action's result), if any. */
function sets(step: Step): [string, VarOrigin] | undefined {
  const saveAs = step.spec.save_as;
  if (typeof saveAs !== "string") return undefined;
  if (step.kind === "action") return [saveAs, { from: "action", action: String(step.spec.action) }];
  return [saveAs, { from: "answer" }];
}

/** The steps that can run right after `step` (jumps within the flow, and falling through). */
export function successors(flow: Flow, index: number): number[] {
  const step = flow.steps[index]!;
  const kind = stepKinds.get(step.kind)!;
  const byId = (id: string) => flow.steps.findIndex((s) => s.id === id);
  const out = [...kind.targets(step.spec), ...(step.next ? [step.next] : [])].filter((t) => !t.startsWith("flow:")).map(byId).filter((i) => i >= 0);
  const falls = step.disabled || (!step.next && (kind.fallsThrough?.(step.spec) ?? true));
  if (falls && index + 1 < flow.steps.length) out.push(index + 1);
  return out;
}

/**
 * For each step, the variables that may be set when it runs: a step sees what any path from the
 * start reaches it with (lenient on purpose: a variable set on one branch may be read on another
 * that only runs after it, which lint cannot prove). `vars.text` in a fallback flow, `vars.event`
 * in an event flow, and deep-link captures come from the triggers.
 */
export function scopes(flow: Flow): Map<string, Scope> {
  const at = flow.steps.map(() => new Map<string, VarOrigin>());
  if (flow.steps.length === 0) return new Map();
  for (const [k, v] of triggerVars(flow)) at[0]!.set(k, v);
  const queue = [0];
  const visited = new Set<number>();
  while (queue.length > 0) {
    const i = queue.shift()!;
    visited.add(i);
    const step = flow.steps[i]!;
    const out = new Map(at[i]);
    const set = step.disabled ? undefined : sets(step);
    if (set && !out.has(set[0])) out.set(set[0], set[1]);
    for (const j of successors(flow, i)) {
      const target = at[j]!;
      let grew = !visited.has(j);
      for (const [k, v] of out) if (!target.has(k)) { target.set(k, v); grew = true; }
      if (grew && !queue.includes(j)) queue.push(j);
    }
  }
  return new Map(flow.steps.map((s, i) => [s.id, at[i]!]));
}
