import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { PathNotFoundError, type FlowProblem } from "../core/errors";
import type { Translator } from "../i18n/Translator";
import { actionNames, findAction } from "./actions/registry";
import { ATTRIBUTE_NAME } from "./attributes";
import { declaredEvents } from "./events";
import { loadFlowFile } from "./loadFlowFile";
import { checkPath, placeholders } from "./lint/paths";
import { scopes, successors } from "./lint/scope";
import { checkKeyUse } from "./lint/texts";
import { duplicateTriggers } from "./lint/triggers";
import { stepKinds } from "./steps";
import { retryKey } from "./steps/ask";
import { suggest } from "./suggest";
import type { Flow, Position, Step } from "./types";

import { fileKindOf, type FlowSource } from "./fileKinds";

export type { FlowSource } from "./fileKinds";

/** Every problem in a set of flow files, plus the flows that were valid on their own. */
export interface LintResult {
  flows: Flow[];
  problems: FlowProblem[];
}

/** Lists `*.yaml` flow files under the given files or folders (not recursive into subfolders). */
export function findFlowFiles(paths: string[], cwd = process.cwd()): FlowSource[] {
  const files: string[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new PathNotFoundError(p);
    if (statSync(abs).isDirectory()) {
      for (const f of readdirSync(abs).sort()) if (/\.ya?ml$/.test(f)) files.push(join(abs, f));
    } else files.push(abs);
  }
  // Paths inside the project print relative (flows/faq.yaml:3:5), others absolute.
  const shown = (f: string) => { const r = relative(cwd, f); return r && !r.startsWith("..") ? r : f; };
  return files.map((f) => ({ file: shown(f), source: readFileSync(f, "utf8"), modifiedAt: statSync(f).mtimeMs }));
}

/** What lint checks the files against besides themselves. */
export interface LintOptions {
  /**
   * Files read for context only: the served folder when some files are linted on their own. Their
   * flows are targets, trigger owners and sources of variables, but their own problems are not reported.
   */
  context?: FlowSource[];
  /** Trigger key → the flow serving it now; on reload that flow keeps it (see lint/triggers.ts). */
  servedBy?: ReadonlyMap<string, string>;
}

/**
 * Checks flow files together: each file's schema, then step targets, unreachable steps, unknown
 * actions, duplicate triggers, translation keys missing in any locale, and every {{…}} against what
 * exists where it is shown. Problems come back in file order with positions; the running app uses
 * the same function before it accepts a changed file.
 */
export function lintFlows(sources: FlowSource[], translator: Translator, options: LintOptions = {}): LintResult {
  const problems: FlowProblem[] = [];
  const flows: Flow[] = [];
  const checked = new Set(sources.map((s) => s.file));
  const ids = new Set<string>();
  const contextFlows: Flow[] = [];
  for (const s of sources) {
    const other = fileKindOf(s);
    if (other) {
      problems.push(...other.lint(s, translator)); // e.g. the loyalty rules: linted here, not a flow
      continue;
    }
    const r = loadFlowFile(s.file, s.source);
    problems.push(...r.problems);
    if (r.flow) flows.push(r.flow);
    ids.add(flowIdOf(s.file));
  }
  for (const s of options.context ?? []) {
    if (checked.has(s.file) || ids.has(flowIdOf(s.file)) || fileKindOf(s)) continue; // a linted file replaces its served copy
    const r = loadFlowFile(s.file, s.source);
    if (r.flow) contextFlows.push(r.flow);
  }
  const all = [...flows, ...contextFlows];
  const known = new Set(all.map((f) => f.id));
  const attributes = attributeNames(all);
  const eventData = eventKeys(all);
  for (const flow of flows) problems.push(...lintFlow(flow, known, attributes, eventData, translator));
  const modifiedAt = new Map([...sources, ...(options.context ?? [])].map((s) => [s.file, s.modifiedAt ?? 0]));
  problems.push(...duplicateTriggers(all, translator, { context: new Set(contextFlows.map((f) => f.file)), modifiedAt, servedBy: options.servedBy }));
  const unique = problems.filter((p, i) => problems.findIndex((q) => q.file === p.file && q.line === p.line && q.col === p.col && q.message === p.message) === i);
  unique.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
  return { flows, problems: unique };
}

function flowIdOf(file: string): string {
  return basename(file).replace(/\.ya?ml$/, "");
}

/** How a step is named in messages: its id, or where it is written (never "#3"). */
export function stepName(flow: Flow, step: Step): string {
  return step.id.startsWith("#") ? `the step at ${flow.file}:${step.at.line}` : `step "${step.id}"`;
}

function lintFlow(flow: Flow, ids: Set<string>, attributes: Set<string>, eventData: Map<string, Set<string>>, translator: Translator): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const report = (at: Position, message: string) => problems.push({ file: flow.file, line: at.line, col: at.col, message });
  const stepIds = new Set(flow.steps.map((s) => s.id));
  const varScopes = scopes(flow);
  const events = flow.triggers.filter((t) => t.event);
  const declared = events.map((t) => new Set([...(eventData.get(t.event!) ?? []), ...(t.data ?? [])]));
  // vars.event.<key> is checked when every event this flow answers has known data.
  const eventKeySet = events.length > 0 && declared.every((d) => d.size > 0) ? new Set(declared.flatMap((d) => [...d])) : undefined;
  const checkTarget = (step: Step, target: string) => {
    const at = step.valueAt?.[target] ?? step.at;
    if (target.startsWith("flow:")) {
      const id = target.slice(5);
      if (!ids.has(id)) {
        const hint = suggest(id, ids);
        report(at, `${stepName(flow, step)} goes to unknown flow "${id}"${hint ? `; did you mean "flow:${hint}"?` : ""}`);
      }
    } else if (!stepIds.has(target)) {
      const hint = suggest(target, [...stepIds].filter((id) => !id.startsWith("#")));
      report(at, `${stepName(flow, step)} goes to unknown step "${target}"${hint ? `; did you mean "${hint}"?` : ""} (use flow:<id> to start another flow)`);
    }
  };
  for (const step of flow.steps) {
    const kind = stepKinds.get(step.kind)!;
    const scope = { vars: varScopes.get(step.id) ?? new Map(), eventKeys: eventKeySet, attributes, names: [] as string[] };
    for (const t of kind.targets(step.spec)) checkTarget(step, t);
    if (step.next) checkTarget(step, step.next);
    for (const a of kind.actions?.(step.spec) ?? []) {
      if (!findAction(a)) {
        const hint = suggest(a, actionNames());
        report(step.valueAt?.[a] ?? step.at, `unknown action "${a}"${hint ? `; did you mean "${hint}"?` : ""} Registered actions: ${actionNames().join(", ") || "(none)"}.`);
      }
    }
    if (step.kind === "action" && step.spec.action === "contact.set" && step.spec.with && typeof step.spec.with === "object") {
      for (const name of Object.keys(step.spec.with)) {
        if (!ATTRIBUTE_NAME.test(name)) report(step.valueAt?.[name] ?? step.at, `contact.set: attribute name "${name}" must be lowercase letters, digits and _, starting with a letter (at most 40)`);
      }
    }
    for (const { value, path } of stepPaths(step)) {
      const why = checkPath(path, scope);
      if (why) report(step.valueAt?.[value] ?? step.at, value.includes("{{") ? `{{${path}}}: ${why}` : why);
    }
    const counted = countedKey(step);
    const retry = kind.kind === "ask" ? retryKey(step.spec as never) : undefined;
    for (const key of kind.keys(step.spec)) {
      const withCount = key === counted || key === retry;
      problems.push(...checkKeyUse(translator, { key, file: flow.file, at: step.valueAt?.[key] ?? step.at, step: stepName(flow, step), plural: key === counted, scope: { ...scope, names: withCount ? ["count"] : [] } }));
    }
  }
  for (const trig of flow.triggers) {
    const none = { vars: new Map(), attributes, names: [] };
    if (trig.keywords) problems.push(...checkKeyUse(translator, { key: trig.keywords, file: flow.file, at: trig.at, step: `the trigger at ${flow.file}:${trig.at.line}`, plural: false, scope: none }));
    if (trig.menu) problems.push(...checkKeyUse(translator, { key: trig.menu, file: flow.file, at: trig.at, step: `the menu entry at ${flow.file}:${trig.at.line}`, plural: false, scope: none }));
  }
  const dead = new Set(unreachable(flow));
  for (const [i, step] of flow.steps.entries()) {
    if (!dead.has(step.id)) continue;
    // Only the first of a run: the steps after it are unreachable because it is.
    const prev = flow.steps[i - 1];
    if (prev && dead.has(prev.id) && successors(flow, i - 1).includes(i)) continue;
    report(step.at, `${stepName(flow, step)} can never run: no step goes to it and the step before it does not fall through`);
  }
  return problems;
}

/** Variable paths a step reads outside its texts: {{…}} in action parameters, `count:`, conditions' `var:`. */
function stepPaths(step: Step): { value: string; path: string }[] {
  const out: { value: string; path: string }[] = [];
  const strings = (v: unknown): void => {
    if (typeof v === "string") for (const p of placeholders(v)) out.push({ value: v, path: p.path });
    else if (Array.isArray(v)) v.forEach(strings);
    else if (v && typeof v === "object") Object.values(v).forEach(strings);
  };
  if (step.kind === "action") strings(step.spec.with);
  for (const field of ["say", "ask", "end"]) {
    const ref = step.spec[field] as { count?: string } | undefined;
    if (ref && typeof ref === "object" && typeof ref.count === "string") out.push({ value: ref.count, path: ref.count });
  }
  const conditions = (c: unknown): void => {
    if (!c || typeof c !== "object") return;
    const o = c as Record<string, unknown>;
    if (typeof o.var === "string") out.push({ value: o.var, path: `vars.${o.var}` });
    if (typeof o.contact === "string" && o.contact.startsWith("attributes.")) out.push({ value: o.contact, path: `contact.${o.contact}` });
    for (const k of ["all", "any"]) if (Array.isArray(o[k])) (o[k] as unknown[]).forEach(conditions);
    if (o.not) conditions(o.not);
  };
  if (step.kind === "branch") for (const arm of step.spec.branch as { if?: unknown }[]) conditions(arm.if);
  return out;
}

/** Attribute names set by `contact.set` anywhere: texts and conditions may read them. */
export function attributeNames(flows: Flow[]): Set<string> {
  const out = new Set<string>();
  for (const f of flows) for (const s of f.steps) {
    if (s.kind === "action" && s.spec.action === "contact.set" && s.spec.with && typeof s.spec.with === "object") for (const k of Object.keys(s.spec.with)) out.add(k);
  }
  return out;
}

/** Data keys of each event: as Rapport declares them, plus what flows schedule with schedule.event. */
function eventKeys(flows: Flow[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const e of declaredEvents()) out.set(e.name, new Set(e.data));
  for (const f of flows) for (const s of f.steps) {
    const w = s.spec.with as { event?: unknown; data?: unknown } | undefined;
    if (s.kind !== "action" || s.spec.action !== "schedule.event" || typeof w?.event !== "string") continue;
    const keys = out.get(w.event) ?? out.set(w.event, new Set()).get(w.event)!;
    if (w.data && typeof w.data === "object") for (const k of Object.keys(w.data)) keys.add(k);
  }
  return out;
}

/** The key a step shows with `count:` (it needs every plural form); other keys need not be plural. */
function countedKey(step: Step): string | undefined {
  const text = (step.spec.say ?? step.spec.ask ?? step.spec.end) as unknown;
  return typeof text === "object" && text !== null && "count" in text ? (text as unknown as { key: string }).key : undefined;
}

/** Step ids no path from the first step reaches. */
export function unreachable(flow: Flow): string[] {
  const seen = new Set<number>();
  const queue: number[] = flow.steps.length > 0 ? [0] : [];
  while (queue.length > 0) {
    const i = queue.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    queue.push(...successors(flow, i));
  }
  return flow.steps.filter((_, i) => !seen.has(i)).map((s) => s.id);
}
