import { createHash } from "node:crypto";

/**
 * Channels with a tight limit on what a button carries (Telegram: 64 bytes of callback data) send a
 * token instead of a long choice value. The token is the value itself when it fits, and otherwise
 * "#" followed by a digest of the value; the flow runtime matches either against the choices it
 * offered, so a flow's values can be anything its schema allows whatever the channel. A value that
 * itself starts with "#" is always digested, so a token starting with "#" is never a literal value.
 */
export function choiceToken(value: string, maxBytes: number): string {
  if (!value.startsWith(DIGEST_MARK) && Buffer.byteLength(value, "utf8") <= maxBytes) return value;
  return digestOf(value);
}

/** Finds which of the offered values a token (from `choiceToken`) stands for. */
export function valueForToken(token: string, values: readonly string[]): string | undefined {
  if (!token.startsWith(DIGEST_MARK)) return values.find((v) => v === token);
  return values.find((v) => digestOf(v) === token);
}

const DIGEST_MARK = "#";

/** "#" + 128 bits of SHA-256, base64url: 23 ASCII bytes, unique among any question's choices. */
function digestOf(value: string): string {
  return DIGEST_MARK + createHash("sha256").update(value, "utf8").digest("base64url").slice(0, 22);
}
