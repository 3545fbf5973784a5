/**
 * Splits long text into chunks a channel accepts (Telegram: 4,096 characters), preferring paragraph,
 * then line, then word boundaries, so a long FAQ answer arrives as readable pieces rather than being
 * cut mid-word or refused by the API. Never loses or reorders characters (except the breaking whitespace).
 */
export function splitText(text: string, limit = 4096): string[] {
  if (limit < 1) throw new RangeError(`splitText: limit must be positive, got ${limit}`);
  const chars = Array.from(text);
  if (chars.length <= limit) return [text];
  const parts: string[] = [];
  let rest = chars;
  while (rest.length > limit) {
    const window = rest.slice(0, limit).join("");
    let cut = Math.max(window.lastIndexOf("\n\n"), -1);
    if (cut < window.length / 2) cut = window.lastIndexOf("\n");
    if (cut < window.length / 2) cut = window.lastIndexOf(" ");
    if (cut < window.length / 2) cut = window.length; // no good boundary: hard cut after `limit` characters
    const head = Array.from(window.slice(0, cut));
    parts.push(head.join("").trimEnd());
    rest = rest.slice(head.length);
    while (rest.length > 0 && (rest[0] === "\n" || rest[0] === " ")) rest = rest.slice(1);
  }
  if (rest.length > 0) parts.push(rest.join(""));
  return parts;
}
