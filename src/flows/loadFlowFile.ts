import { createHash } from "node:crypto";
import { basename } from "node:path";
import { isMap, isSeq, visit, type Document, type Node, type Pair } from "yaml";
import { z } from "zod";
import type { FlowProblem } from "../core/errors";
import { stepKinds } from "./steps";
import { suggest } from "./suggest";
import { describeIssue, schemaFields } from "./lint/describeIssue";
import { readYamlDocument } from "./lint/readYamlDocument";
import type { Flow, Position, Step, Trigger } from "./types";

/** Outcome of reading one flow file: the flow when it is valid on its own, and every problem found. */
export interface LoadResult {
  flow?: Flow;
  problems: FlowProblem[];
}

const COMMON = ["id", "next", "disabled"] as const;
const ID = /^[a-z][a-z0-9_-]*$/;

const TRIGGER_FIELDS = ["command", "payload", "menu", "menu_order", "keywords", "event", "data", "fallback"];

const triggerSchema = z.union([
  z.object({
    command: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, "commands are lowercase letters, digits and _ (Telegram's rule), without the slash"),
    payload: z.string().optional(),
    /** A translation key: the command is listed in /help and the chat app's command menu with this description. */
    menu: z.string().min(1).optional(),
    /** Where in the menu (lower first); unnumbered commands follow, alphabetically. */
    menu_order: z.number().int().min(0).max(1000).optional(),
  }).strict().refine((t) => !(t.payload !== undefined && t.menu !== undefined), { message: "a command with a payload pattern is a deep link; put `menu:` on the plain command", path: ["menu"] }),
  z.object({ keywords: z.string().min(1) }).strict(),
  z.object({
    event: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, "event names look like ticket.resolved"),
    /** The keys of `vars.event` this flow expects beyond those Rapport declares (e.g. sent with `events send --data`). */
    data: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).optional(),
  }).strict(),
  z.object({ fallback: z.literal(true) }).strict(),
]);

const fileSchema = z.object({
  description: z.string().optional(),
  /** Only tells (no question, wait or other flow): runs even while the customer is at another flow's question. */
  notice: z.boolean().optional(),
  triggers: z.array(z.unknown()).default([]),
  steps: z.array(z.record(z.string(), z.unknown())).min(1, "a flow needs at least one step"),
}).strict();

/**
 * Parses and validates one flow file on its own (schema, step kinds, ids). Cross-file checks
 * (targets in other flows, duplicate triggers, translations) are the linter's. Never throws for
 * bad input: every problem comes back with its line and column.
 */
export function loadFlowFile(file: string, source: string): LoadResult {
  const { doc, problems, report, posOf, nodeAt, keyAt } = readYamlDocument(file, source);
  if (problems.length > 0) return { problems };
  /** Unknown fields point at the first unknown key; anything else at the value in question. */
  const issueAt = (base: (string | number)[], issue: z.core.$ZodIssue): Position =>
    issue.code === "unrecognized_keys" ? keyAt([...base, ...(issue.path as (string | number)[]), issue.keys[0]!]) : nodeAt([...base, ...(issue.path as (string | number)[])]);

  const data = (doc.toJS() ?? {}) as Record<string, unknown>;
  const context = (schema: z.ZodType, root: unknown, extra: string[] = []) => ({
    knownFields: (path: readonly PropertyKey[]) => [...extra.filter(() => path.length === 0), ...schemaFields(schema, path)],
    valueAt: (path: readonly PropertyKey[]) => path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), root),
  });
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    report({ line: 1, col: 1 }, "a flow file is a set of fields: description, triggers and steps (see flows/README.md)");
    return { problems };
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of withoutMisspeltRequired(parsed.error.issues, schemaFields(fileSchema, []))) report(issueAt([], issue), describeIssue(issue, context(fileSchema, data)));
    return { problems };
  }
  const id = basename(file).replace(/\.ya?ml$/, "");
  if (!ID.test(id)) report({ line: 1, col: 1 }, `flow file name "${basename(file)}" must be lowercase letters, digits, - or _ (it is the flow's id)`);

  const triggers: Trigger[] = [];
  parsed.data.triggers.forEach((raw, i) => {
    const t = triggerSchema.safeParse(raw);
    const at = nodeAt(["triggers", i]);
    if (!t.success) {
      const fields = raw && typeof raw === "object" ? Object.keys(raw) : [];
      const unknown = fields.find((f) => !TRIGGER_FIELDS.includes(f));
      const kinds = fields.filter((f) => ["command", "keywords", "event", "fallback"].includes(f));
      if (unknown !== undefined) {
        const hint = suggest(unknown, TRIGGER_FIELDS);
        report(keyAt(["triggers", i, unknown]), `unknown trigger field "${unknown}"${hint ? `; did you mean "${hint}"?` : ""} A trigger is one of command (with optional payload, menu, menu_order), keywords, event (with optional data) or fallback: true.`);
      } else if (kinds.length === 1) {
        const branch = triggerSchema.options.find((o) => kinds[0]! in schemaFieldsOf(o))!;
        const r = branch.safeParse(raw);
        for (const issue of r.success ? [] : r.error.issues) report(issueAt(["triggers", i], issue), `trigger: ${describeIssue(issue, context(branch, raw))}`);
      } else {
        report(at, `a trigger is one of command (with optional payload), keywords, event or fallback: true; got ${JSON.stringify(raw)}`);
      }
      return;
    }
    const trig = t.data as Omit<Trigger, "at">;
    if (trig.payload !== undefined) {
      try { new RegExp(trig.payload, "u"); } catch (e) { report(nodeAt(["triggers", i, "payload"]), `payload is not a valid regular expression: ${(e as Error).message}`); }
    }
    triggers.push({ ...trig, at });
  });

  const steps: Step[] = [];
  const seen = new Map<string, Position>();
  parsed.data.steps.forEach((raw, i) => {
    const at = nodeAt(["steps", i]);
    const kinds = Object.keys(raw).filter((k) => !(COMMON as readonly string[]).includes(k) && stepKinds.has(k));
    if (kinds.length !== 1) {
      const unknown = Object.keys(raw).filter((k) => !(COMMON as readonly string[]).includes(k) && !stepKinds.has(k));
      const known = [...stepKinds.keys()].join(", ");
      if (kinds.length === 0 && unknown.length > 0) {
        const hint = suggest(unknown[0]!, stepKinds.keys());
        report(keyAt(["steps", i, unknown[0]!]), `unknown step kind "${unknown[0]}"${hint ? `; did you mean "${hint}"?` : ""} Known kinds: ${known}.`);
      } else if (kinds.length === 0) report(at, `step ${i + 1} has no kind; start it with one of: ${known}`);
      else report(at, `step ${i + 1} mixes kinds ${kinds.join(" and ")}; split it into one step per kind`);
      return;
    }
    const kind = stepKinds.get(kinds[0]!)!;
    const { id: rawId, next, disabled, ...spec } = raw as Record<string, unknown>;
    const result = kind.schema.safeParse(spec);
    if (!result.success) {
      for (const issue of withoutMisspeltRequired(result.error.issues, [...schemaFields(kind.schema, []), ...COMMON])) {
        report(issueAt(["steps", i], issue), `${kind.kind} step: ${describeIssue(issue, context(kind.schema, spec, [...COMMON]))}`);
      }
      return;
    }
    // Steps without an id are numbered internally (#3: stored in conversations, so it stays); people
    // read them as file:line (lint's stepName).
    const stepId = rawId === undefined ? `#${i + 1}` : String(rawId);
    if (rawId !== undefined && (typeof rawId !== "string" || !ID.test(rawId))) report(nodeAt(["steps", i, "id"]), `step id ${JSON.stringify(rawId)} must be lowercase letters, digits, - or _`);
    if (seen.has(stepId)) report(nodeAt(["steps", i, "id"]), `duplicate step id "${stepId}" (first at line ${seen.get(stepId)!.line})`);
    seen.set(stepId, at);
    if (next !== undefined && typeof next !== "string") report(nodeAt(["steps", i, "next"]), "next must be a step id or flow:<id>");
    if (disabled !== undefined && typeof disabled !== "boolean") report(nodeAt(["steps", i, "disabled"]), "disabled must be true or false");
    steps.push({ id: stepId, kind: kind.kind, spec: result.data as Record<string, unknown>, next: next as string | undefined, disabled: disabled === true, at, valueAt: scalarPositions(doc, ["steps", i], posOf) });
  });
  if (parsed.data.notice) for (const step of steps) {
    const why = noticeProblem(step);
    if (why) report(step.at, `${why}: a notice (notice: true) only tells, and runs while the customer may be at another flow's question; remove notice: true or this step`);
  }
  if (problems.length > 0) return { problems };
  const hash = createHash("sha256").update(source).digest("hex");
  return { flow: { id, file, hash, source, description: parsed.data.description, ...(parsed.data.notice ? { notice: true } : {}), triggers, steps, version: 0 }, problems };
}

/** What a step of a notice must not do (ask, wait, return, or go to another flow), or undefined. */
function noticeProblem(step: Step): string | undefined {
  if (step.kind === "ask" || step.kind === "wait" || step.kind === "return") return `a notice cannot ${step.kind === "ask" ? "ask a question" : step.kind === "wait" ? "wait" : "return to a question"}`;
  const flowTarget = [...stepKinds.get(step.kind)!.targets(step.spec as never), ...(step.next ? [step.next] : [])].find((t) => t.startsWith("flow:"));
  return flowTarget ? `a notice cannot go to another flow (${flowTarget})` : undefined;
}

/** The zod object schemas of a union's branches expose their fields through `shape`. */
function schemaFieldsOf(schema: z.ZodType): Record<string, unknown> {
  return Object.fromEntries(schemaFields(schema, []).map((k) => [k, true]));
}

/**
 * Drops "missing field x" when the same object has an unknown field that is a misspelling of x:
 * `saveas: email` is one mistake, reported once as `unknown field "saveas"; did you mean "save_as"?`.
 */
function withoutMisspeltRequired(issues: z.core.$ZodIssue[], known: string[]): z.core.$ZodIssue[] {
  const misspelt = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const fields = known.length > 0 && issue.path.length === 0 ? known : [];
    for (const k of issue.keys) {
      const hint = suggest(k, fields);
      if (hint) misspelt.add([...issue.path, hint].join("."));
    }
  }
  return issues.filter((i) => !(i.code === "invalid_type" && misspelt.has(i.path.join("."))));
}

/** Where each text value of a node is written (first occurrence), so lint can point at a key's own line. */
function scalarPositions(doc: Document, path: (string | number)[], posOf: (o: number | undefined) => Position): Record<string, Position> {
  const node = doc.getIn(path, true) as Node | undefined;
  const out: Record<string, Position> = {};
  if (!node) return out;
  visit(node as never, {
    Scalar(key, scalar) {
      if (key === "key") return; // field names are not texts
      if (typeof scalar.value === "string" && !(scalar.value in out)) out[scalar.value] = posOf(scalar.range?.[0]);
    },
  });
  return out;
}

export { describeIssue } from "./lint/describeIssue";

/** The position of the deepest node on `path` that exists (a key for unknown fields). */
export function positionOf(doc: Document, path: (string | number)[], posOf: (o: number | undefined) => Position, atKey: boolean): Position {
  let node: unknown = doc.contents;
  let best: Position = { line: 1, col: 1 };
  for (const [n, part] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p: Pair) => String((p.key as Node | null)?.toJSON?.() ?? p.key) === String(part));
      if (!pair) break;
      best = posOf((pair.key as Node).range?.[0]);
      node = pair.value;
      if (atKey && n === path.length - 1) break;
      if ((node as Node | null)?.range && !isMap(node) && !isSeq(node)) best = posOf((node as Node).range![0]);
    } else if (isSeq(node) && typeof part === "number") {
      node = node.items[part];
      if (!node) break;
      best = posOf((node as Node).range?.[0]);
    } else break;
  }
  return best;
}
