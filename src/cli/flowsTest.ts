import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { createApp } from "../app/createApp";
import { PathNotFoundError } from "../core/errors";
import type { Channel } from "../core/Channel";
import { silentLogger } from "../core/log";
import type { OutboundMessage } from "../core/message";
import { parseTranscripts } from "../flows/transcripts/parseTranscript";
import { runTranscript } from "../flows/transcripts/runTranscript";

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

/**
 * `rapport flows test [transcripts…]`: plays every transcript (default: flows/tests/) against the
 * flows in a throwaway SQLite database and prints each failure as `file:line: expected … got …`.
 * Returns the exit status.
 */
export async function runFlowsTest(paths: string[], dirs: { flowsDir: string; localesDir: string }, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
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
  let failed = 0;
  let total = 0;
  try {
    for (const file of files) {
      const rel = relative(process.cwd(), file);
      const shown = rel && !rel.startsWith("..") ? rel : file;
      for (const t of parseTranscripts(shown, readFileSync(file, "utf8"))) {
        total++;
        const user = `t${total}`;
        const failure = await runTranscript(app.engine.deliver, t, user, (u) => inbox.get(u)?.splice(0) ?? []);
        const name = `${shown}:${t.line}${t.title ? ` ${t.title}` : ""}`;
        if (failure) {
          failed++;
          err.write(`FAIL ${name}\n  ${failure.file}:${failure.line}: expected ${JSON.stringify(failure.expected)}\n  ${" ".repeat(failure.file.length + String(failure.line).length + 3)}got      ${JSON.stringify(failure.actual)}\n`);
        } else out.write(`ok   ${name}\n`);
      }
    }
  } finally {
    await app.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  out.write(`${total - failed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}
