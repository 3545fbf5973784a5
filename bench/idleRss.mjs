// The resident memory of an idle `rapport start`, for `npm run bench` and `npm run bench:cli`.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Starts `rapport start` (SQLite on a new file, no channels, stdin not a terminal) as an operator
 * does, waits until it logs "rapport ready", then `settleMs` more, and reads its memory from /proc:
 * `rssMb` (VmRSS, issue 17's figure: ≤ 100 MB), `anonMb` (RssAnon: the process's own memory; the rest
 * is mostly the node binary's pages) and `readyMs` (spawn to ready). Stops it with SIGTERM.
 */
export async function idleStartRss(root, { settleMs = 3000, env = {} } = {}) {
  const scratch = mkdtempSync(join(tmpdir(), "rapport-bench-idle-"));
  const child = spawn(process.execPath, [join(root, "bin/rapport.mjs"), "start"], {
    cwd: scratch, stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, DATABASE_URL: `file:${join(scratch, "idle.db")}`, FLOWS_DIR: join(root, "flows"), LOCALES_DIR: join(root, "locales"), HOT_RELOAD: "false", PORT: "0", LOG_LEVEL: "info", ...env },
  });
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  const closed = new Promise((resolve) => child.on("close", resolve));
  try {
    const started = Date.now();
    while (!log.includes("rapport ready")) {
      if (child.exitCode !== null || Date.now() - started > 60_000) throw new Error(`rapport start did not get ready:\n${log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const readyMs = Date.now() - started;
    await new Promise((r) => setTimeout(r, settleMs));
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    const mb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024;
    return { rssMb: mb("VmRSS"), anonMb: mb("RssAnon"), readyMs };
  } finally {
    child.kill("SIGTERM");
    await closed;
    rmSync(scratch, { recursive: true, force: true });
  }
}
