import { TranscriptFileError } from "../../core/errors";

/** One line of a transcript: what the customer sends, or a reply the bot must give. */
export type TranscriptLine =
  | { who: "user"; line: number; text?: string; press?: string }
  | { who: "bot"; line: number; text: string; choices?: string[] };

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
    const m = /^(user|bot|locale):\s?(.*)$/.exec(line);
    if (!m) throw new TranscriptFileError(file, n, `expected "user: …", "bot: …", "locale: …", "# comment" or "---", got ${JSON.stringify(line.slice(0, 40))}`);
    const [, who, rest] = m as unknown as [string, string, string];
    if (who === "locale") {
      if (t.lines.length > 0) throw new TranscriptFileError(file, n, "locale: goes before the first user: line");
      t.locale = rest.trim();
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
