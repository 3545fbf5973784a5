import { findIllFormedText } from "../../core/illFormedText";
import { suggest } from "../../flows/suggest";
import { InvalidFieldError, type FieldProblemKind } from "./errors";

/** Where a value sits in a request body: `["items", 0, "quantity"]` is `items[0].quantity`. */
export type FieldPath = readonly (string | number)[];

/**
 * Validates and converts one value. Leaf checks throw with `fail()` and know nothing of where the
 * value sits; `objectOf` and `listOf` add the path, so a check written for a top-level field works
 * unchanged inside a list of objects.
 */
export type Check<T> = (value: unknown) => T;

/** What a check found wrong; `at` is filled in by the enclosing objects and lists. */
class Problem {
  constructor(readonly kind: FieldProblemKind, readonly message: string, readonly at: FieldPath = []) {}
}

/** Refuses the value being checked: `missing` and `invalid` are 400s, `out_of_range` a 422. */
export function fail(kind: FieldProblemKind, message: string): never {
  throw new Problem(kind, message);
}

/** Absent, null or only whitespace: treated as "not given" by every check. */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

/** `check`, but blank means undefined instead of "is required". */
export const optional = <T>(check: Check<T>): Check<T | undefined> => (v) => (isBlank(v) ? undefined : check(v));

type Shape = Record<string, Check<unknown>>;
type Output<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };

/**
 * A JSON object with exactly these fields, checked in the order given (the first problem is the one
 * reported). Any other field is refused by name (issue #13: a `refundID` typo was silently ignored
 * and merged two partial refunds), with a "did you mean" when one is close.
 */
export function objectOf<S extends Shape>(shape: S): Check<Output<S>> {
  const names = Object.keys(shape);
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) fail("invalid", "must be a JSON object");
    const given = value as Record<string, unknown>;
    const unknown = Object.keys(given).filter((k) => !Object.hasOwn(shape, k));
    if (unknown.length > 0) {
      const guess = suggest(unknown[0]!, names);
      const also = unknown.length > 1 ? `; also unknown: ${unknown.slice(1).join(", ")}` : "";
      throw new Problem("unknown", `unknown field${guess ? ` (did you mean ${guess}?)` : ""}${also}; accepted fields: ${names.join(", ")}`, [unknown[0]!]);
    }
    const out: Record<string, unknown> = {};
    for (const name of names) out[name] = within(name, () => shape[name]!(Object.hasOwn(given, name) ? given[name] : undefined));
    return out as Output<S>;
  };
}

/** A JSON array of at most `max` items, each checked by `item`; problems name the index (`items[2].sku`). */
export function listOf<T>(item: Check<T>, max: number): Check<T[]> {
  return (value) => {
    if (!Array.isArray(value)) fail("invalid", "must be a JSON array");
    if (value.length > max) fail("invalid", `has ${value.length} entries; at most ${max} are accepted`);
    return value.map((v, i) => within(i, () => item(v)));
  };
}

function within<T>(step: string | number, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof Problem) throw new Problem(error.kind, error.message, [step, ...error.at]);
    throw error;
  }
}

/** `items[0].quantity`; a key that is not an identifier is quoted (`["a b"]`) so the path stays readable. */
export function formatFieldPath(at: FieldPath, root = "body"): string {
  let out = "";
  for (const step of at) {
    if (typeof step === "number") out += `[${step}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(step)) out += out === "" ? step : `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out === "" ? root : out;
}

/**
 * Runs `check` on a whole request body (API JSON or a CSV row) and turns the first problem into an
 * InvalidFieldError naming the field by its path. Before any field is read, every string in the
 * body, keys included, is checked for NUL and lone surrogates, which no column can hold.
 */
export function checkBody<T>(check: Check<T>, body: unknown): T {
  return checkAt([], check, body);
}

/** Runs one leaf check on its own (a CSV cell, a path parameter), reporting under `name`. */
export function checkValue<T>(name: string, check: Check<T>, value: unknown): T {
  return checkAt([name], check, value);
}

function checkAt<T>(root: FieldPath, check: Check<T>, body: unknown): T {
  const bad = findIllFormed(body, root);
  if (bad) throw new InvalidFieldError(formatFieldPath(bad.at), `contains ${bad.what} at position ${bad.index}; send plain UTF-8 text without control characters`, "invalid");
  try {
    return check(body);
  } catch (error) {
    if (error instanceof Problem) throw new InvalidFieldError(formatFieldPath([...root, ...error.at]), error.message, error.kind);
    throw error;
  }
}

function findIllFormed(value: unknown, at: FieldPath): { at: FieldPath; what: string; index: number } | undefined {
  if (typeof value === "string") {
    const bad = findIllFormedText(value);
    return bad && { at, ...bad };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findIllFormed(value[i], [...at, i]);
      if (found) return found;
    }
  } else if (typeof value === "object" && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      const badKey = findIllFormedText(key);
      if (badKey) return { at: [...at, key], ...badKey, what: `${badKey.what} in its name` };
      const found = findIllFormed(v, [...at, key]);
      if (found) return found;
    }
  }
  return undefined;
}
