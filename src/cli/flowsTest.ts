import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { createApp } from "../app/createApp";
import { PathNotFoundError } from "../core/errors";
import type { Channel } from "../core/Channel";
import { silentLogger } from "../core/log";
import type { OutboundMessage } from "../core/message";
import { parseTranscripts } from "../flows/transcripts/parseTranscript";
import { runTranscript, type TranscriptPlayer } from "../flows/transcripts/runTranscript";
import { applySlots, recordTranscript } from "../flows/transcripts/recordTranscript";
import { textPattern, type KeyPattern } from "../flows/transcripts/matchLine";
import type { Translator } from "../i18n/Translator";
import { parsePurchase } from "../http/api/purchaseInput";
import { PURCHASES } from "../loyalty/Purchases";

/** Lists transcript files (`*.transcript`) under the given files or folders, recursively. */
export function findTranscripts(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const f of readdirSync(p).sort()) walk(join(p, f));
    else if (p.endsWith(".transcript")) out.push(p);
  };
  for (const p of paths) {
    if (!existsSync(p)) throw new PathNotFoundError(p);
    walk(p);
  }
  return out;
}

/** Options of `rapport flows test`. */
export interface FlowsTestOptions {
  /** Re-record the bot's lines that no longer match, print what changed, and rewrite the files. */
  update?: boolean;
}

/**
 * `rapport flows test [transcripts…] [--update]`: plays every transcript (default: flows/tests/)
 * against the flows in a throwaway SQLite database and prints each failure as `file:line: expected …
 * got …`. With `--update` the bot's lines are re-recorded instead (see recordTranscript) and the
 * changes printed as a diff. Returns the exit status.
 */
export async function runFlowsTest(paths: string[], dirs: { flowsDir: string; localesDir: string }, out: NodeJS.WritableStream, err: NodeJS.WritableStream, options: FlowsTestOptions = {}): Promise<number> {
  const files = findTranscripts(paths.length > 0 ? paths.map((p) => resolve(p)) : [join(dirs.flowsDir, "tests")]);
  if (files.length === 0) { err.write("no transcript files (*.transcript) found\n"); return 1; }
  const tmp = mkdtempSync(join(tmpdir(), "rapport-flows-test-"));
  const app = await createApp({ settings: { databaseUrl: `file:${join(tmp, "test.db")}`, flowsDir: dirs.flowsDir, localesDir: dirs.localesDir, hotReload: false, dbRetrySeconds: 2 }, log: silentLogger });
  const inbox = new Map<string, OutboundMessage[]>();
  const channel: Channel = {
    name: "transcript",
    async start() {}, async stop() {},
    async send(to, message) { (inbox.get(to.externalUserId) ?? inbox.set(to.externalUserId, []).get(to.externalUserId)!).push(message); return {}; },
  };
  app.engine.attach(channel);
  // Each conversation has its own clock, which `after:` lines move on; scheduled work is run as of it.
  // A purchase runs what is due by the real clock (its own event), not work scheduled for "later".
  const player = (locale: string): TranscriptPlayer => {
    let offsetMs = 0;
    return {
      deliver: app.engine.deliver, collect: (u) => inbox.get(u)?.splice(0) ?? [], keys: keyPatterns(app.translator(), locale),
      async purchase(user, body) {
        // Checked as the API checks it; the customer is this conversation's.
        const input = parsePurchase({ ...body, customer: `transcript:${user}` });
        const identity = await app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "transcript", externalId: user } } });
        await app.services.get(PURCHASES).record({ contactId: identity.contactId, orderId: input.orderId, amountMinor: input.amountMinor, currency: input.currency, occurredAt: input.occurredAt, items: input.items });
        await app.jobs.runDue();
      },
      async after(ms) {
        offsetMs += ms;
        await app.jobs.runDue(new Date(Date.now() + offsetMs));
      },
    };
  };
  let failed = 0;
  let total = 0;
  let changedFiles = 0;
  let removed = 0;
  let added = 0;
  try {
    for (const file of files) {
      const rel = relative(process.cwd(), file);
      const shown = rel && !rel.startsWith("..") ? rel : file;
      const text = readFileSync(file, "utf8");
      const source = text.split(/\r?\n/);
      const slots = new Map<number, string[]>();
      for (const t of parseTranscripts(shown, text)) {
        total++;
        const user = `t${total}`;
        const name = `${shown}:${t.line}${t.title ? ` ${t.title}` : ""}`;
        if (options.update) {
          const r = await recordTranscript(player(t.locale), t, user, source);
          for (const [line, lines] of r.slots) slots.set(line, lines);
          for (const f of r.failures) {
            failed++;
            err.write(`STOP ${name}\n  ${f.file}:${f.line}: cannot press ${JSON.stringify(f.expected.replace(/^a button /, ""))}; ${f.actual}\n  edit this user: line by hand (or press by key: [@namespace:key]); the bot's lines after it are left as they were\n`);
          }
          continue;
        }
        const failure = await runTranscript(player(t.locale), t, user);
        if (failure) {
          failed++;
          err.write(`FAIL ${name}\n  ${failure.file}:${failure.line}: expected ${JSON.stringify(failure.expected)}\n  ${" ".repeat(failure.file.length + String(failure.line).length + 3)}got      ${JSON.stringify(failure.actual)}\n`);
        } else out.write(`ok   ${name}\n`);
      }
      if (!options.update) continue;
      const changed = [...slots].filter(([line, lines]) => lines.length !== 1 || lines[0] !== source[line - 1]);
      if (changed.length === 0) continue;
      changedFiles++;
      out.write(`${shown}\n`);
      for (const [line, lines] of changed.sort((a, b) => a[0] - b[0])) {
        const kept = lines[0] === source[line - 1];
        if (!kept) out.write(`  ${String(line).padStart(4)} - ${source[line - 1]}\n`);
        for (const l of kept ? lines.slice(1) : lines) out.write(`  ${String(line).padStart(4)} + ${l}\n`);
        removed += kept ? 0 : 1;
        added += kept ? lines.length - 1 : lines.length;
      }
      writeFileSync(file, applySlots(source, slots).join("\n"));
    }
  } finally {
    await app.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  if (options.update) {
    out.write(changedFiles === 0 ? `${total} conversations replayed; nothing to update\n` : `${total} conversations replayed; in ${changedFiles} file${changedFiles === 1 ? "" : "s"}, ${removed} bot line${removed === 1 ? "" : "s"} replaced or removed, ${added} written\n`);
    return failed > 0 ? 1 : 0;
  }
  out.write(`${total - failed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

/** `@namespace:key` in a transcript: the key's text in the transcript's language (English if it has none). */
function keyPatterns(translator: Translator, locale: string): KeyPattern {
  return (key) => textPattern(translator.forms(locale, key).map((f) => f.text)) ?? textPattern(translator.forms("en", key).map((f) => f.text));
}
