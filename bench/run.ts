/**
 * `npm run bench [-- --json] [--customers N] [--inflight N] [--repeat N] [--db sqlite|postgresql|both] [--path core|telegram|both]`
 * `npm run bench -- --welcome [--rtt MS] [--customers N] [--db …]`: issue 12's welcome latency (bench/welcome.ts)
 *
 * Drives simulated customers through bench/flows/signup.yaml into the engine, straight (core path)
 * and through the grammY adapter (telegram path), and prints messages/s at full speed, p50/p99
 * latency at 1,000 messages/s offered, and peak RSS, per database and path, plus what the adapter
 * costs. Each database × path is measured in its own child process, the paths taking turns (see
 * child.ts). See bench/README.md.
 */
import { spawnSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Dialect } from "../src/db/Database";
import { BenchFailure } from "./BenchFailure";
import { PATH_NAMES, type PathName } from "./BenchPath";
import { CHILD_ENV, measurePaths } from "./child";
import { DEFAULT_PG_SERVER, postgresProblem } from "./databases";
import { measureDatabase, type DbResult, type MeasureOptions } from "./measure";
import { idleStartRss } from "./idleRss.mjs";
import { jsonLine, table } from "./report";
import { ROOT } from "./root";
import { measureWelcome, welcomeTable } from "./welcome";

const USAGE = "usage: npm run bench -- [--json] [--customers N (2000)] [--inflight N (100)] [--repeat N (3)] [--db sqlite|postgresql|both] [--path core|telegram|both] [--import-rows N (20000; 0: none)] | --welcome [--rtt MS (50)] [--customers N (20)] [--db …]";

function options(): MeasureOptions & { json: boolean; dbs: Dialect[]; paths: PathName[]; welcome: boolean; rttMs: number; importRows: number } {
  const { values } = parseArgs({
    options: {
      json: { type: "boolean", default: false },
      customers: { type: "string", default: "2000" },
      inflight: { type: "string", default: "100" },
      repeat: { type: "string", default: "3" },
      db: { type: "string", default: "both" },
      path: { type: "string", default: "both" },
      welcome: { type: "boolean", default: false },
      rtt: { type: "string", default: "50" },
      "import-rows": { type: "string", default: "20000" },
    },
  });
  const count = (name: "customers" | "inflight" | "repeat" | "import-rows", least = 1) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < least) throw new BenchFailure(`--${name} must be a ${least > 0 ? "positive " : ""}whole number, not "${values[name]}"\n${USAGE}`);
    return n;
  };
  const db = values.db!;
  if (!["sqlite", "postgresql", "both"].includes(db)) throw new BenchFailure(`--db must be sqlite, postgresql or both, not "${db}"\n${USAGE}`);
  const path = values.path!;
  if (![...PATH_NAMES, "both"].includes(path)) throw new BenchFailure(`--path must be core, telegram or both, not "${path}"\n${USAGE}`);
  return {
    json: values.json!,
    welcome: values.welcome!,
    rttMs: Number(values.rtt),
    dbs: db === "both" ? ["sqlite", "postgresql"] : [db as Dialect],
    paths: path === "both" ? [...PATH_NAMES] : [path as PathName],
    customers: count("customers"),
    inflight: count("inflight"),
    repeat: count("repeat"),
    importRows: count("import-rows", 0),
    warmup: 200,
    offeredMsgPerSec: 1000,
    pgServer: process.env.BENCH_PG_URL ?? DEFAULT_PG_SERVER,
  };
}

async function main() {
  const opts = options();
  if (opts.welcome) return welcome(opts);
  if (process.env[CHILD_ENV]) {
    process.stdout.write(jsonLine(await measureDatabase(opts.dbs[0]!, opts.paths[0]!, opts)) + "\n");
    return;
  }
  if (!opts.json) {
    console.log(`Rapport bench: ${opts.customers} customers × 4 messages, ${opts.inflight} in flight, bench/flows/signup.yaml, path ${opts.paths.join(" + ")}; node ${process.version}, ${availableParallelism()} CPUs`);
    console.log(`msg/s: median of ${opts.repeat} full-speed runs; latency at ${opts.offeredMsgPerSec} msg/s offered (open loop); warm-up ${opts.warmup} customers; fresh database per run; the paths take turns run by run\n`);
  }
  const results: DbResult[] = [];
  for (const db of opts.dbs) {
    if (db === "postgresql") {
      const problem = await postgresProblem(opts.pgServer);
      if (problem) {
        console.error(`warning: PostgreSQL at ${redact(opts.pgServer)} is unreachable (${problem}); skipping it. Set BENCH_PG_URL to a server the bench may create databases on.`);
        continue;
      }
    }
    for (const result of await measurePaths(db, opts.paths, opts)) {
      results.push(result);
      if (opts.json) console.log(jsonLine(result));
    }
  }
  if (!opts.json && results.length > 0) console.log(table(results));
  if (!opts.json) await footprint(opts);
}

/**
 * Issue 17's other figures, after the table: an idle `rapport start`'s memory (the table's peak RSS is
 * the busy side; both compare with the Telegraf peer's 103 MB peak in ../shared/peer-bench), and
 * `rapport purchases import` (bench/import.mjs) on `--import-rows` rows of each database measured.
 */
async function footprint(opts: ReturnType<typeof options>) {
  const idle = await idleStartRss(ROOT);
  console.log(`\nidle rapport start (SQLite, no channels), 3 s after ready: ${idle.rssMb.toFixed(1)} MB RSS (${idle.anonMb.toFixed(1)} MB anonymous)  target ≤ 100  ${idle.rssMb <= 100 ? "✓" : "✗"}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  if (opts.importRows === 0) return;
  const db = opts.dbs.length === 2 ? "both" : opts.dbs[0]!;
  console.log("");
  const run = spawnSync(process.execPath, [join(ROOT, "bench/import.mjs"), "--rows", String(opts.importRows), "--db", db], { stdio: "inherit", env: { ...process.env, BENCH_PG_URL: opts.pgServer } });
  if (run.status !== 0) throw new BenchFailure("the purchase import bench failed; its error is above");
}

/**
 * `--welcome`: issue 12's latency, /start to the welcome's last message through the Telegram adapter
 * with real throttling (bench/welcome.ts); `--customers` defaults to 20 here, `--rtt` (ms, default 50) is
 * the fake Bot API's answer time.
 */
async function welcome(opts: ReturnType<typeof options>) {
  const customers = process.argv.includes("--customers") ? opts.customers : 20;
  if (!opts.json) console.log(`Rapport welcome bench: ${customers} customers, /start → the menu's keyboard, Telegram limits as shipped, fake Bot API answering in ${opts.rttMs} ms; node ${process.version}\n`);
  const results = [];
  for (const db of opts.dbs) {
    if (db === "postgresql" && (await postgresProblem(opts.pgServer))) {
      console.error(`warning: PostgreSQL at ${redact(opts.pgServer)} is unreachable; skipping it.`);
      continue;
    }
    for (const r of await measureWelcome(db, { customers, rttMs: opts.rttMs, pgServer: opts.pgServer })) {
      results.push(r);
      if (opts.json) console.log(JSON.stringify(r));
    }
  }
  if (!opts.json) console.log(welcomeTable(results));
}

/** The server URL without its password, for messages. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof BenchFailure ? `bench failed: ${error.message}` : error);
  process.exit(1);
});
