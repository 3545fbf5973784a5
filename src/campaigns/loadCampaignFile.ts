import { createHash } from "node:crypto";
import { basename } from "node:path";
import { visit, type Document, type Node } from "yaml";
import type { z } from "zod";
import type { FlowProblem } from "../core/errors";
import { parseDuration } from "../core/duration";
import { describeIssue, schemaFields } from "../flows/lint/describeIssue";
import { readYamlDocument } from "../flows/lint/readYamlDocument";
import type { Position } from "../flows/types";
import type { Campaign, CampaignVariant, CampaignWhen } from "./Campaign";
import { campaignSchema } from "./schema";

/** A campaign file's name is its id in commands (`rapport campaigns send winback`). */
export const CAMPAIGN_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * Parses and validates one campaign file on its own: YAML, fields (unknown ones with "did you mean"),
 * values, the variants' shares, the time. Checks against flows and translations are lintCampaigns'.
 * Never throws for bad input: every problem comes back with its line and column, as flows' do.
 */
export function loadCampaignFile(file: string, source: string): { campaign?: Campaign; problems: FlowProblem[] } {
  const { doc, problems, report, posOf, nodeAt, keyAt } = readYamlDocument(file, source);
  if (problems.length > 0) return { problems };
  const data = doc.toJS() as unknown;
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    report({ line: 1, col: 1 }, "a campaign file is a set of fields: audience, message (or start), when, … (see flows/README.md, Campaigns)");
    return { problems };
  }
  const parsed = campaignSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path as (string | number)[];
      const at = issue.code === "unrecognized_keys" ? keyAt([...path, issue.keys[0]!]) : nodeAt(path);
      report(at, describeIssue(issue, {
        knownFields: (p) => schemaFields(campaignSchema, p),
        valueAt: (p) => p.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), data),
      }));
    }
    return { problems };
  }
  const c = parsed.data;
  const name = basename(file).replace(/\.ya?ml$/, "");
  if (!CAMPAIGN_NAME.test(name)) report({ line: 1, col: 1 }, `campaign file name "${basename(file)}" must be lowercase letters, digits, - or _ (it is the campaign's name)`);

  let variants: CampaignVariant[];
  if (c.variants) {
    variants = c.variants.map((v) => ({ name: v.name, split: v.split, message: v.message ?? (v.start ? undefined : c.message), start: v.start ?? (v.message ? undefined : c.start) }));
    const total = c.variants.reduce((s, v) => s + v.split, 0);
    if (Math.abs(total - 100) > 1e-9) report(nodeAt(["variants"]), `the variants' splits add up to ${total}, not 100`);
    const seen = new Set<string>();
    c.variants.forEach((v, i) => {
      if (seen.has(v.name)) report(nodeAt(["variants", i, "name"]), `two variants are named "${v.name}"`);
      seen.add(v.name);
      if (!variants[i]!.message && !variants[i]!.start) report(nodeAt(["variants", i]), `variant "${v.name}" sends nothing: give it (or the campaign) a message or a start`);
    });
  } else {
    variants = [{ name: "a", split: 100, message: c.message, start: c.start }];
    if (!c.message && !c.start) report({ line: 1, col: 1 }, "the campaign sends nothing: add a message (a translation key) or start: { flow: <id> } / { event: <name> }");
  }
  if (c.message && c.start) report(keyAt(["start"]), "a campaign sends a message or starts a flow/event, not both; keep one (or use variants)");
  let when: CampaignWhen = { kind: "now" };
  if (c.when === "ongoing") when = { kind: "ongoing" };
  else if (typeof c.when === "object") {
    const at = new Date(c.when.at);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(c.when.at) || Number.isNaN(at.getTime())) report(nodeAt(["when", "at"]), `when.at: "${c.when.at}" is not a time; write e.g. 2026-12-08T10:00:00+01:00 (ISO 8601, with the offset)`);
    else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(c.when.at)) report(nodeAt(["when", "at"]), `when.at: "${c.when.at}" has no time zone; add Z or an offset such as +01:00`);
    else when = { kind: "at", at };
  }
  rangeProblems(c.audience, nodeAt, report);
  if (problems.length > 0) return { problems };
  return {
    campaign: {
      name, file, hash: createHash("sha256").update(source).digest("hex"), description: c.description,
      audience: c.audience, variants, when, bonus: c.bonus,
      conversionWindowMs: parseDuration(c.conversion_window)!, valueAt: scalarPositions(doc, posOf),
    },
    problems,
  };
}

/** Ranges written upside down (min above max) select nobody: say so rather than preview zero. */
function rangeProblems(audience: z.infer<typeof campaignSchema>["audience"], nodeAt: (p: (string | number)[]) => Position, report: (at: Position, m: string) => void) {
  for (const [base, f] of [[["audience"], audience], [["audience", "exclude"], audience.exclude]] as const) {
    if (!f) continue;
    for (const field of ["points", "referrals"] as const) {
      const r = f[field];
      if (r?.min !== undefined && r.max !== undefined && r.min > r.max) report(nodeAt([...base, field]), `${field}: min ${r.min} is above max ${r.max}; nobody would match`);
    }
  }
}

/** Where each text value is written (first occurrence), so lint points at the line of a key or a flow name. */
function scalarPositions(doc: Document, posOf: (o: number | undefined) => Position): Record<string, Position> {
  const out: Record<string, Position> = {};
  visit(doc, {
    Scalar(key, scalar) {
      if (key === "key") return;
      if (typeof scalar.value === "string" && !(scalar.value in out)) out[scalar.value] = posOf((scalar as Node).range?.[0]);
    },
  });
  return out;
}
