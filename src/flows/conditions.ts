import { z } from "zod";
import { readPath } from "./template";
import type { ContactView, Variables } from "./types";

const TESTS = ["equals", "not_equals", "in", "not_in", "gt", "gte", "lt", "lte", "exists", "matches"] as const;

const comparison = z.object({
  var: z.string().optional(),
  /** A contact field, or `attributes.<name>` for an attribute kept by contact.set. */
  contact: z.union([
    z.enum(["locale", "points", "tier", "segment", "displayName", "username"]),
    z.string().regex(/^attributes\.[a-z][a-z0-9_]*$/, "contact: is one of locale, points, tier, segment, displayName, username or attributes.<name>"),
  ]).optional(),
  equals: z.unknown().optional(),
  not_equals: z.unknown().optional(),
  in: z.array(z.unknown()).optional(),
  not_in: z.array(z.unknown()).optional(),
  gt: z.number().optional(),
  gte: z.number().optional(),
  lt: z.number().optional(),
  lte: z.number().optional(),
  exists: z.boolean().optional(),
  matches: z.string().optional(),
}).strict()
  .refine((c) => (c.var === undefined) !== (c.contact === undefined), { message: "a condition names exactly one of `var` or `contact`" })
  .refine((c) => TESTS.some((t) => t in c), { message: `a condition needs a test: one of ${"equals, not_equals, in, not_in, gt, gte, lt, lte, exists, matches"}` });

/** A branch condition as marketers write it: a comparison, or all/any/not of conditions. No eval. */
export type Condition =
  | z.infer<typeof comparison>
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** Schema for conditions, recursive through all/any/not. */
export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(conditionSchema).min(1) }).strict(),
    z.object({ any: z.array(conditionSchema).min(1) }).strict(),
    z.object({ not: conditionSchema }).strict(),
    comparison,
  ]),
);

/** Evaluates a condition against the conversation's variables and the contact's fields. */
export function evaluate(c: Condition, scope: { vars: Variables; contact: ContactView }): boolean {
  if ("all" in c && Array.isArray(c.all)) return c.all.every((x) => evaluate(x, scope));
  if ("any" in c && Array.isArray(c.any)) return c.any.some((x) => evaluate(x, scope));
  if ("not" in c && c.not) return !evaluate(c.not as Condition, scope);
  const cmp = c as z.infer<typeof comparison>;
  const value = cmp.var !== undefined ? readPath(scope, `vars.${cmp.var}`) : readPath(scope, `contact.${cmp.contact}`);
  const same = (a: unknown, b: unknown) => a === b || (a !== undefined && a !== null && String(a) === String(b));
  if (cmp.exists !== undefined && (value !== undefined && value !== null) !== cmp.exists) return false;
  if ("equals" in cmp && cmp.equals !== undefined && !same(value, cmp.equals)) return false;
  if ("not_equals" in cmp && cmp.not_equals !== undefined && same(value, cmp.not_equals)) return false;
  if (cmp.in && !cmp.in.some((x) => same(value, x))) return false;
  if (cmp.not_in && cmp.not_in.some((x) => same(value, x))) return false;
  const n = Number(value);
  if (cmp.gt !== undefined && !(n > cmp.gt)) return false;
  if (cmp.gte !== undefined && !(n >= cmp.gte)) return false;
  if (cmp.lt !== undefined && !(n < cmp.lt)) return false;
  if (cmp.lte !== undefined && !(n <= cmp.lte)) return false;
  if (cmp.matches !== undefined && !new RegExp(cmp.matches, "iu").test(String(value ?? ""))) return false;
  return true;
}
