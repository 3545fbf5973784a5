#!/usr/bin/env node
// `npm run bench:cli`: how long `rapport` commands take from exec to exit, and how much memory an
// idle `rapport start` holds (issue 17: ≤ 0.4 s for --help and the read-only commands; ≤ 100 MB idle).
//
// Each command runs RUNS times (after one warm-up) against a scratch SQLite database seeded with one
// customer through `rapport chat`; the median and the fastest run are printed, with the machine's load
// average, because on a shared machine a figure means little without it. Plain JavaScript (no tsx),
// so the harness adds nothing to what it measures. Options: --runs N (default 10).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { idleStartRss } from "./idleRss.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin/rapport.mjs");
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10;

const scratch = mkdtempSync(join(tmpdir(), "rapport-bench-cli-"));
const env = { ...process.env, DATABASE_URL: `file:${join(scratch, "bench.db")}`, FLOWS_DIR: join(ROOT, "flows"), LOCALES_DIR: join(ROOT, "locales"), LOG_LEVEL: "warn", HOT_RELOAD: "false" };
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

/** Runs `rapport …args` once; returns milliseconds from spawn to exit. Throws when it fails. */
function timeOnce(args, input = "") {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], { env, input, encoding: "utf8", cwd: scratch });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`rapport ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

try {
  execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")], { stdio: "ignore" }); // measure runs, not a rebuild
  writeFileSync(join(scratch, "bench.db"), ""); // an empty database: the chat migrates and seeds it
  timeOnce(["chat", "--user", "bench"], "/start\n/help\n");
  const commands = [["--help"], ["tickets"], ["report"], ["contacts", "history", "terminal:bench"]];
  console.log(`rapport command start-to-exit, ${RUNS} runs each (load average before: ${load()}; node ${process.version})`);
  for (const args of commands) {
    timeOnce(args); // warm-up: the file system cache
    const times = Array.from({ length: RUNS }, () => timeOnce(args));
    console.log(`  rapport ${args.join(" ").padEnd(32)} median ${median(times).toFixed(0).padStart(5)} ms   fastest ${Math.min(...times).toFixed(0).padStart(5)} ms`);
  }
  const idle = await idleStartRss(ROOT);
  console.log(`idle rapport start (SQLite, no channels): ${idle.rssMb.toFixed(0)} MB RSS, ${idle.anonMb.toFixed(0)} MB of it anonymous (load average after: ${load()})`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
