import type { z } from "zod";
import { suggest } from "../suggest";

/** What a schema issue is about: where it is, and the value written there (undefined: missing). */
export interface IssueContext {
  /** The field names the object at the issue's path accepts, for "did you mean". */
  knownFields(path: readonly PropertyKey[]): string[];
  /** The value written at a path of the checked object. */
  valueAt(path: readonly PropertyKey[]): unknown;
}

/**
 * A zod issue as a marketer reads it: the field, then the problem in plain words, with a "did you
 * mean" for a misspelt field or value. zod's own wording ("Invalid input: expected string, received
 * undefined") names types, not fields, and was what marketers saw before (issue #14).
 */
export function describeIssue(issue: z.core.$ZodIssue, ctx?: IssueContext): string {
  const path = issue.path.map(String);
  const field = path.length > 0 ? path.join(".") : "";
  const where = field ? `${field}: ` : "";
  // A schema's own message ("a flow needs at least one step") says it better than a generic one.
  if (!/^(Invalid|Too (small|big)|Unrecognized)/.test(issue.message) && issue.code !== "unrecognized_keys") return `${where}${issue.message}`;
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = ctx?.knownFields(issue.path) ?? [];
      return issue.keys.map((k) => {
        const hint = suggest(k, known);
        return `${where}unknown field "${k}"${hint ? `; did you mean "${hint}"?` : known.length > 0 ? `; fields here: ${known.join(", ")}` : ""}`;
      }).join("; ");
    }
    case "invalid_type": {
      const value = ctx?.valueAt(issue.path);
      if (value === undefined && field) return `${field}: required, but missing`;
      return `${where}must be ${article(issue.expected)}, got ${show(value)}`;
    }
    case "invalid_value": {
      const values = issue.values.map(String);
      const value = ctx?.valueAt(issue.path);
      if (values.length === 1) return `${where}must be ${values[0]}, not ${show(value)}`;
      const hint = typeof value === "string" ? suggest(value, values) : undefined;
      return `${where}${show(value)} is not one of ${values.join(", ")}${hint ? `; did you mean "${hint}"?` : ""}`;
    }
    case "too_small":
      if (issue.origin === "array") return `${where}needs at least ${issue.minimum} item${Number(issue.minimum) === 1 ? "" : "s"}`;
      if (issue.origin === "string") return `${where}must not be empty`;
      return `${where}must be at least ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "array") return `${where}takes at most ${issue.maximum} items`;
      if (issue.origin === "string") return `${where}is too long (at most ${issue.maximum} characters)`;
      return `${where}must be at most ${issue.maximum}`;
    case "invalid_union":
      return `${where}not a valid value here (see flows/README.md for the accepted forms)`;
    default:
      return `${where}${issue.message}`;
  }
}

function article(type: string): string {
  const names: Record<string, string> = { string: "a text", number: "a number", boolean: "true or false", array: "a list", object: "a set of fields (key: value)", record: "a set of fields (key: value)" };
  return names[type] ?? type;
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a set of fields";
  return JSON.stringify(value);
}

/** The field names the object schema at `path` accepts (through lists, optionals and unions). */
export function schemaFields(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const seen = new Set<string>();
  const walk = (s: unknown, rest: readonly PropertyKey[], depth: number) => {
    const def = (s as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (!def || depth > 20) return;
    switch (def.type) {
      case "object":
        if (rest.length === 0) for (const k of Object.keys(def.shape as object)) seen.add(k);
        else walk((def.shape as Record<string, unknown>)[String(rest[0])], rest.slice(1), depth + 1);
        return;
      case "array":
        if (rest.length > 0) walk(def.element, rest.slice(1), depth + 1);
        return;
      case "record":
        if (rest.length > 0) walk(def.valueType, rest.slice(1), depth + 1);
        return;
      case "union":
        for (const o of def.options as unknown[]) walk(o, rest, depth + 1);
        return;
      case "lazy":
        walk((def.getter as () => unknown)(), rest, depth + 1);
        return;
      case "pipe":
        walk(def.in, rest, depth + 1);
        return;
      default:
        if (def.innerType) walk(def.innerType, rest, depth + 1);
    }
  };
  walk(schema, path, 0);
  return [...seen];
}
