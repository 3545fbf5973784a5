import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { PathNotFoundError, type FlowProblem } from "../core/errors";
import type { Translator } from "../i18n/Translator";
import { SUPPORTED_LOCALES } from "../i18n/locales";
import { actionNames, findAction } from "./actions/registry";
import { loadFlowFile } from "./loadFlowFile";
import { stepKinds } from "./steps";
import { keywordList } from "./keywords";
import { suggest } from "./suggest";
import type { Flow, Step } from "./types";

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
  return files.map((f) => ({ file: shown(f), source: readFileSync(f, "utf8") }));
}

/**
 * Checks flow files together: each file's schema, then step targets, unreachable steps, unknown
 * actions, duplicate triggers and translation keys missing in any locale. Problems come back in
 * file order with positions; the running app uses the same function before it accepts a changed file.
 */
export function lintFlows(sources: FlowSource[], translator: Translator): LintResult {
  const problems: FlowProblem[] = [];
  const flows: Flow[] = [];
  for (const s of sources) {
    const other = fileKindOf(s);
    if (other) {
      problems.push(...other.lint(s, translator)); // e.g. the loyalty rules: linted here, not a flow
      continue;
    }
    const r = loadFlowFile(s.file, s.source);
    problems.push(...r.problems);
    if (r.flow) flows.push(r.flow);
  }
  const ids = new Set(flows.map((f) => f.id));
  for (const flow of flows) {
    const report = (step: { at: { line: number; col: number } }, message: string) =>
      problems.push({ file: flow.file, line: step.at.line, col: step.at.col, message });
    const stepIds = new Set(flow.steps.map((s) => s.id));
    const checkTarget = (step: Step, target: string) => {
      if (target.startsWith("flow:")) {
        const id = target.slice(5);
        if (!ids.has(id)) {
          const hint = suggest(id, ids);
          report(step, `step "${step.id}" goes to unknown flow "${id}"${hint ? `; did you mean "flow:${hint}"?` : ""}`);
        }
      } else if (!stepIds.has(target)) {
        const hint = suggest(target, [...stepIds].filter((id) => !id.startsWith("#")));
        report(step, `step "${step.id}" goes to unknown step "${target}"${hint ? `; did you mean "${hint}"?` : ""} (use flow:<id> to start another flow)`);
      }
    };
    for (const step of flow.steps) {
      const kind = stepKinds.get(step.kind)!;
      for (const t of kind.targets(step.spec)) checkTarget(step, t);
      if (step.next) checkTarget(step, step.next);
      for (const a of kind.actions?.(step.spec) ?? []) {
        const def = findAction(a);
        if (!def) {
          const hint = suggest(a, actionNames());
          report(step, `unknown action "${a}"${hint ? `; did you mean "${hint}"?` : ""} Registered actions: ${actionNames().join(", ") || "(none)"}.`);
        }
      }
      const counted = countedKey(step);
      for (const key of kind.keys(step.spec)) checkKey(translator, key, key === counted, (m) => report(step, m));
    }
    for (const trig of flow.triggers) if (trig.keywords) checkKey(translator, trig.keywords, false, (m) => report(trig, m));
    for (const id of unreachable(flow)) {
      const step = flow.steps.find((s) => s.id === id)!;
      report(step, `step "${id}" can never run: no step goes to it and the step before it does not fall through`);
    }
  }
  problems.push(...duplicateTriggers(flows, translator));
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
  return { flows, problems };
}

/** The key a step shows with `count:` (it needs every plural form); other keys need not be plural. */
function countedKey(step: Step): string | undefined {
  const text = (step.spec.say ?? step.spec.ask ?? step.spec.end) as unknown;
  return typeof text === "object" && text !== null && "count" in text ? (text as unknown as { key: string }).key : undefined;
}

function checkKey(translator: Translator, key: string, plural: boolean, report: (message: string) => void) {
  if (!/^[a-z][\w-]*:[\w.-]+$/i.test(key)) {
    report(`text "${key}" is not a translation key; write namespace:key (e.g. welcome:greeting) and put the text in locales/<lng>/<namespace>.json`);
    return;
  }
  const missing = SUPPORTED_LOCALES.filter((lng) => !translator.has(lng, key));
  if (missing.length > 0) {
    report(`translation key "${key}" is missing in ${missing.map((l) => `locales/${l}/${key.split(":")[0]}.json`).join(", ")}`);
    return;
  }
  if (!plural) return;
  for (const lng of SUPPORTED_LOCALES) {
    const categories = new Intl.PluralRules(lng).resolvedOptions().pluralCategories;
    const absent = categories.filter((c) => !translator.i18n.exists(`${key}_${c}`, { lng, fallbackLng: false } as never));
    if (absent.length > 0) report(`plural key "${key}" in ${lng} needs forms ${absent.map((c) => `${key.split(":")[1]}_${c}`).join(", ")}`);
  }
}

/** Step ids no path from the first step reaches. */
export function unreachable(flow: Flow): string[] {
  const index = new Map(flow.steps.map((s, i) => [s.id, i]));
  const seen = new Set<string>();
  const queue: number[] = [0];
  while (queue.length > 0) {
    const i = queue.pop()!;
    const step = flow.steps[i];
    if (!step || seen.has(step.id)) continue;
    seen.add(step.id);
    const kind = stepKinds.get(step.kind)!;
    const targets = [...kind.targets(step.spec), ...(step.next ? [step.next] : [])];
    for (const t of targets) if (index.has(t)) queue.push(index.get(t)!);
    const falls = step.disabled || (!step.next && (kind.fallsThrough?.(step.spec) ?? true));
    if (falls) queue.push(i + 1);
  }
  return flow.steps.filter((s) => !seen.has(s.id)).map((s) => s.id);
}

function duplicateTriggers(flows: Flow[], translator: Translator): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const first = new Map<string, { flow: Flow; line: number }>();
  const claim = (key: string, label: string, flow: Flow, at: { line: number; col: number }) => {
    const prior = first.get(key);
    if (prior) problems.push({ file: flow.file, line: at.line, col: at.col, message: `duplicate trigger: ${label} already starts flow "${prior.flow.id}" (${prior.flow.file}:${prior.line})` });
    else first.set(key, { flow, line: at.line });
  };
  for (const flow of flows) {
    for (const t of flow.triggers) {
      if (t.command) claim(`command:${t.command}:${t.payload ?? ""}`, t.payload ? `/${t.command} with payload ${t.payload}` : `/${t.command}`, flow, t.at);
      if (t.event) claim(`event:${t.event}`, `event ${t.event}`, flow, t.at);
      if (t.fallback) claim("fallback", "fallback", flow, t.at);
      if (t.keywords) {
        for (const lng of SUPPORTED_LOCALES) {
          for (const word of keywordList(translator, lng, t.keywords)) claim(`kw:${lng}:${word}`, `keyword "${word}" (${lng})`, flow, t.at);
        }
      }
    }
  }
  return problems;
}
