import type { ContactView, Variables } from "./types";

/** Reads `vars.a.b` / `contact.points` from the conversation scope; undefined when absent. */
export function readPath(scope: { vars: Variables; contact: ContactView }, path: string): unknown {
  const parts = path.trim().split(".");
  let value: unknown = scope;
  for (const part of parts) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * Fills `{{vars.x}}` / `{{contact.y}}` in action parameters. A string that is exactly one placeholder
 * keeps the value's type (a number stays a number), so `points: "{{vars.amount}}"` validates as a number.
 */
export function fillTemplate(value: unknown, scope: { vars: Variables; contact: ContactView }): unknown {
  if (typeof value === "string") {
    const whole = /^\{\{\s*([\w.]+)\s*\}\}$/.exec(value);
    if (whole) return readPath(scope, whole[1]!);
    return value.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, p: string) => String(readPath(scope, p) ?? ""));
  }
  if (Array.isArray(value)) return value.map((v) => fillTemplate(v, scope));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillTemplate(v, scope)]));
  }
  return value;
}
