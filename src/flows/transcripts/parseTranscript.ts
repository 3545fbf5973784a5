import { TranscriptFileError } from "../../core/errors";
import { parseDuration } from "../../core/duration";

/**
 * One line of a transcript: what the customer sends, what the shop reports (a purchase, as the API
 * takes it), time passing (scheduled work comes due), or a reply the bot must give.
 */
export type TranscriptLine =
  | { who: "user"; line: number; text?: string; press?: string }
  | { who: "purchase"; line: number; body: Record<string, unknown> }
  | { who: "after"; line: number; ms: number }
  | { who: "bot"; line: number; text: string; choices?: string[] };

/** A line the bot's replies follow: everything but `bot:`. */
export type InputLine = Exclude<TranscriptLine, { who: "bot" }>;

/** One conversation in a transcript file, run for a fresh customer. */
export interface Transcript {
  file: string;
  line: number;
  locale: string;
  title?: string;
  lines: TranscriptLine[];
}

/**
 * Parses a transcript file. Format (see flows/README.md):
 *   # title or comment        locale: ru          (header, before the first user line)
 *   user: /start              user: [Ask a question]   (a button press, by its label)
 *   bot: What would you like to do? [Ask a question | Change language]
 *   bot: Orders are shipped*  (`*` matches any text; `\n` is a line break)
 *   purchase: {"orderId": "A-1", "amount": "24.50", "currency": "EUR"}   (the shop reports an order
 *                             for this customer, the body of POST /api/v1/purchases without `customer`)
 *   after: 3d                 (time passes: scheduled work due by then runs, e.g. a review request)
 *   ---                       (starts another conversation with a new customer)
 */
export function parseTranscripts(file: string, text: string): Transcript[] {
  const out: Transcript[] = [];
  let current: Transcript | undefined;
  const begin = (line: number) => (current = { file, line, locale: "en", lines: [] });
  text.split(/\r?\n/).forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trimEnd();
    if (line.trim() === "") return;
    if (line.trim() === "---") { if (current?.lines.length) out.push(current); current = undefined; return; }
    if (!current) begin(n);
    const t = current!;
    if (line.startsWith("#")) { t.title ??= line.slice(1).trim(); return; }
    const m = /^(user|bot|locale|purchase|after):\s?(.*)$/.exec(line);
    if (!m) throw new TranscriptFileError(file, n, `expected "user: …", "bot: …", "purchase: {…}", "after: 3d", "locale: …", "# comment" or "---", got ${JSON.stringify(line.slice(0, 40))}`);
    const [, who, rest] = m as unknown as [string, string, string];
    if (who === "locale") {
      if (t.lines.length > 0) throw new TranscriptFileError(file, n, "locale: goes before the first user: line");
      t.locale = rest.trim();
      return;
    }
    if (who === "purchase") {
      t.lines.push({ who: "purchase", line: n, body: purchaseBody(file, n, rest) });
      return;
    }
    if (who === "after") {
      const ms = parseDuration(rest);
      if (ms === undefined) throw new TranscriptFileError(file, n, `after: takes a duration such as 30m, 2h or 3d, got ${JSON.stringify(rest.trim())}`);
      t.lines.push({ who: "after", line: n, ms });
      return;
    }
    if (who === "user") {
      const press = /^\[(.+)\]$/.exec(rest.trim());
      t.lines.push(press ? { who: "user", line: n, press: press[1]!.trim() } : { who: "user", line: n, text: rest });
      return;
    }
    const unescaped = rest.replace(/\\n/g, "\n");
    const buttons = /^(.*?)\s*\[([^\]]*\|[^\]]*|[^\]|]+)\]$/s.exec(unescaped);
    t.lines.push(buttons ? { who: "bot", line: n, text: buttons[1]!, choices: buttons[2]!.split("|").map((s) => s.trim()) } : { who: "bot", line: n, text: unescaped });
  });
  if (current && (current as Transcript).lines.length) out.push(current);
  for (const t of out) if (t.lines[0]?.who !== "user") throw new TranscriptFileError(file, t.lines[0]?.line ?? t.line, "a conversation starts with a user: line");
  return out;
}

/** A `purchase:` line's JSON object (checked field by field when played, as the API checks it). */
function purchaseBody(file: string, line: number, text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new TranscriptFileError(file, line, `purchase: takes a JSON object like {"orderId": "A-1", "amount": "24.50", "currency": "EUR"}: ${(error as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new TranscriptFileError(file, line, "purchase: takes a JSON object, the body of POST /api/v1/purchases without customer");
  return body as Record<string, unknown>;
}
