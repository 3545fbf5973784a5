import type { OutboundMessage } from "../../core/message";

/** Turns a translation key into the pattern its text matches in the transcript's language. */
export type KeyPattern = (key: string) => RegExp | undefined;

/** A bot line or button label written as a translation key: `@welcome:greeting`. */
const KEY_REF = /^@([a-z][\w-]*:[\w.-]+)$/i;

/** The key of `@ns:key`, or undefined for literal text. */
export function keyRef(text: string): string | undefined {
  return KEY_REF.exec(text.trim())?.[1];
}

/**
 * The pattern a translated text matches: placeholders ({{vars.email}}, {{count}}) and nested texts
 * match any text, so a key matches whatever values the conversation filled in.
 */
export function textPattern(texts: string[]): RegExp | undefined {
  if (texts.length === 0) return undefined;
  const one = (t: string) => t.split(/\{\{[^}]*\}\}|\$t\([^)]*\)/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[\\s\\S]*?");
  return new RegExp(`^(?:${texts.map(one).join("|")})$`);
}

/** True when one expected text (literal with `*`, or `@key`) matches what the bot sent. */
export function textMatches(expected: string, actual: string, keys: KeyPattern): boolean {
  const key = keyRef(expected);
  if (key) return keys(key)?.test(actual) ?? false;
  const prefix = expected.endsWith("*") ? keyRef(expected.slice(0, -1)) : undefined; // `@key*`: the key's text, then anything
  if (prefix) {
    const p = keys(prefix);
    return p ? new RegExp(`${p.source.slice(0, -1)}[\\s\\S]*$`).test(actual) : false;
  }
  if (!expected.includes("*")) return expected === actual;
  const pattern = expected.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[\\s\\S]*");
  return new RegExp(`^${pattern}$`).test(actual);
}

/**
 * True when a `bot:` line matches a reply: the text, and the buttons when the line lists them. A
 * line without buttons matches a reply with buttons only if it ends with `*` (as before).
 */
export function lineMatches(expected: { text: string; choices?: string[] }, actual: OutboundMessage | undefined, keys: KeyPattern): boolean {
  if (!actual || !textMatches(expected.text, actual.text, keys)) return false;
  const labels = actual.choices?.map((c) => c.label) ?? [];
  if (expected.choices) return expected.choices.length === labels.length && expected.choices.every((c, i) => textMatches(c, labels[i]!, keys));
  return labels.length === 0 || expected.text.endsWith("*");
}

/** A reply as a transcript shows it: `text [button | button]`, line breaks as `\n`. */
export function show(m: OutboundMessage | undefined): string {
  if (!m) return "(no reply)";
  return m.choices?.length ? `${m.text} [${m.choices.map((c) => c.label).join(" | ")}]` : m.text;
}

/** A reply written as a `bot:` line of a transcript file. */
export function botLine(m: OutboundMessage): string {
  return `bot: ${show(m).replace(/\n/g, "\\n")}`;
}
