import type { FlowProblem } from "../../core/errors";
import type { Translator } from "../../i18n/Translator";
import { SUPPORTED_LOCALES } from "../../i18n/locales";
import { keywordList } from "../keywords";
import type { Flow, Position } from "../types";

/** What decides who keeps a trigger two files claim. */
export interface TriggerOwnership {
  /** Files read for context only (the served folder when one file is linted): never blamed. */
  context: ReadonlySet<string>;
  /** When each file was last changed (ms); the newer file is the newcomer. */
  modifiedAt: ReadonlyMap<string, number>;
  /** Trigger key → id of the flow serving it now (hot reload): that flow keeps it. */
  servedBy?: ReadonlyMap<string, string>;
}

interface Claim { flow: Flow; at: Position; label: string }

/** Each trigger's stable key and how to name it in a message. */
export function triggerKeys(flow: Flow, translator: Translator): { key: string; label: string; at: Position }[] {
  const out: { key: string; label: string; at: Position }[] = [];
  for (const t of flow.triggers) {
    if (t.command) out.push({ key: `command:${t.command}:${t.payload ?? ""}`, label: t.payload ? `/${t.command} with payload ${t.payload}` : `/${t.command}`, at: t.at });
    if (t.event) out.push({ key: `event:${t.event}`, label: `event ${t.event}`, at: t.at });
    if (t.fallback) out.push({ key: "fallback", label: "fallback", at: t.at });
    if (t.keywords) {
      for (const lng of SUPPORTED_LOCALES) {
        for (const word of keywordList(translator, lng, t.keywords)) out.push({ key: `kw:${lng}:${word}`, label: `keyword "${word}" (${lng})`, at: t.at });
      }
    }
  }
  return out;
}

/**
 * Two flows claiming one trigger: the problem goes to the file that introduced the clash, naming the
 * one that had it. The owner is, in order: the flow serving it now (hot reload), a file read only for
 * context (linting one new file against the served folder), the file changed longest ago (a new or
 * just-edited file is the newcomer), then the first by name. Before issue #14 the later file by name
 * was blamed, so adding `book.yaml` with /start blamed the untouched `welcome.yaml`.
 */
export function duplicateTriggers(flows: Flow[], translator: Translator, own: TriggerOwnership): FlowProblem[] {
  const claims = new Map<string, Claim[]>();
  for (const flow of flows) {
    for (const k of triggerKeys(flow, translator)) (claims.get(k.key) ?? claims.set(k.key, []).get(k.key)!).push({ flow, at: k.at, label: k.label });
  }
  const rank = (key: string, c: Claim): [number, number, string] => [
    own.servedBy?.get(key) === c.flow.id ? 0 : own.context.has(c.flow.file) ? 1 : 2,
    own.modifiedAt.get(c.flow.file) ?? 0,
    c.flow.file,
  ];
  const problems: FlowProblem[] = [];
  for (const [key, list] of claims) {
    const distinct = list.filter((c, i) => list.findIndex((d) => d.flow === c.flow) === i);
    if (distinct.length < 2) continue;
    const sorted = [...distinct].sort((a, b) => {
      const [ra, rb] = [rank(key, a), rank(key, b)];
      return ra[0] - rb[0] || ra[1] - rb[1] || ra[2].localeCompare(rb[2]);
    });
    const owner = sorted[0]!;
    for (const c of sorted.slice(1)) {
      if (own.context.has(c.flow.file)) continue; // two served files clash: reported when they are linted
      problems.push({ file: c.flow.file, line: c.at.line, col: c.at.col, message: `duplicate trigger: ${c.label} already starts flow "${owner.flow.id}" (${owner.flow.file}:${owner.at.line}); remove it here or there` });
    }
  }
  return problems;
}
