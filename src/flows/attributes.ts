import type { ContactAttributes } from "./types";

/** Attribute names (`contact.set`): what marketers type in YAML and campaign audiences filter on (issue #15). */
export const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** contacts.attributes as stored (JSON text); a missing or damaged value reads as none. */
export function parseAttributes(value: unknown): ContactAttributes {
  if (typeof value !== "string" || value === "" || value === "{}") return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as ContactAttributes) : {};
  } catch {
    return {};
  }
}
