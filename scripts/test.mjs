#!/usr/bin/env node
// `npm test`: the whole suite on SQLite and, at the same time, on PostgreSQL.
//
// PostgreSQL comes from TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres; each
// test file creates its own database there). On a laptop without PostgreSQL the second run is skipped
// with a notice; under CI (CI=true) an unreachable server is a failure, because both must be tested.
//
// TEST_NODE_POSTGRESQL names another Node.js binary for the PostgreSQL run: CI runs that run on Node 24
// (the supported LTS) and the SQLite run on the machine's Node 20, so every test file runs on both
// runtimes and every database-dependent one on both databases without a third run. The PostgreSQL
// run then also takes the pure file checks the other run alone would have had; it leaves out only
// what opens the default SQLite file (better-sqlite3 is a native module built for the machine's Node)
// and the browser pages.
import { spawn, spawnSync } from "node:child_process";
import { dirname } from "node:path";
import pg from "pg";

const extra = process.argv.slice(2);
const pgUrl = process.env.TEST_DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const only = process.env.TEST_DB; // "sqlite" or "postgresql" to run one

// Files that start `rapport` with its default SQLite file or with no database at all: the PostgreSQL
// pass would run them again unchanged (about a minute of the two cores).
const OPENS_DEFAULT_SQLITE = ["test/cli/start.test.ts", "test/cli/startTelegram.test.ts", "test/cli/startSlack.test.ts", "test/cli/flowsLint.test.ts", "test/cli/campaignsLint.test.ts", "test/cli/flowsTest.test.ts", "test/cli/index.test.ts",
  "test/cli/context.test.ts", "test/db/checkDatabase.test.ts", "test/scripts/build.test.ts", "test/cli/consoleUsers.test.ts"];
// Pages in a browser: what they check does not change with the database (the queries behind the
// pages are tested on both through the API, CLI and domain tests).
const BROWSER_PAGES = ["test/console/**", "test/channels/webchat/widget.browser.test.ts"];
// Texts and flow files: no database at all (a few seconds; run again only on another Node.js).
const NO_DATABASE = ["test/i18n/**", "test/flows/lint/**", "test/flows/steps/**",
  "test/flows/lintFlows.test.ts", "test/flows/docsExamples.test.ts", "test/flows/loadFlowFile.test.ts", "test/flows/suggest.test.ts", "test/flows/template.test.ts", "test/flows/conditions.test.ts"];
const pgNode = process.env.TEST_NODE_POSTGRESQL || process.execPath;
const pgExclude = [...OPENS_DEFAULT_SQLITE, ...BROWSER_PAGES, ...(pgNode === process.execPath ? NO_DATABASE : [])];

/**
 * One vitest run. `show: "live"` streams its output; `show: "after"` keeps it and prints it whole
 * when the run ends, so two runs going on together do not interleave their lines.
 */
function vitest(label, env, { exclude = [], node = process.execPath, show = "live" } = {}) {
  const version = node === process.execPath ? process.version : spawnSync(node, ["--version"], { encoding: "utf8" }).stdout?.trim();
  if (!version) { console.error(`\n${node} (TEST_NODE_POSTGRESQL) does not run.`); return Promise.resolve(1); }
  const title = `\n=== tests on ${label}, Node.js ${version} ===`;
  if (show === "live") console.log(title);
  else console.log(`\n(${label} runs alongside; its output follows when it ends)`);
  const args = ["node_modules/vitest/vitest.mjs", "run", ...exclude.flatMap((f) => ["--exclude", f]), ...extra];
  // Its folder first on PATH, so what the tests spawn as `node` is the same Node.js.
  const path = node === process.execPath ? process.env.PATH : `${dirname(node)}:${process.env.PATH}`;
  const child = spawn(node, args, { stdio: show === "live" ? "inherit" : ["ignore", "pipe", "pipe"], env: { ...process.env, PATH: path, ...env } });
  const kept = [];
  child.stdout?.on("data", (chunk) => kept.push(chunk));
  child.stderr?.on("data", (chunk) => kept.push(chunk));
  return new Promise((resolve) => child.on("close", (code) => {
    if (show !== "live") { console.log(title); process.stdout.write(Buffer.concat(kept)); }
    resolve(code ?? 1);
  }));
}

async function reachable(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try { await c.connect(); await c.query("SELECT 1"); return true; } catch { return false; } finally { await c.end().catch(() => {}); }
}

// The two runs go on at the same time unless TEST_PASSES=sequential: each alone leaves the cores idle
// much of the time (tests waiting on timers, child processes, PostgreSQL's disk).
const together = process.env.TEST_PASSES !== "sequential";
const runs = [];
if (only !== "sqlite") {
  if (await reachable(pgUrl)) runs.push(["postgresql", () => vitest(`PostgreSQL (${pgUrl.replace(/\/\/[^@]*@/, "//")})`, { TEST_DATABASE_URL: pgUrl }, { exclude: pgExclude, node: pgNode, show: together && only !== "postgresql" ? "after" : "live" })]);
  else if (process.env.CI) { console.error(`\nPostgreSQL at ${pgUrl} is not reachable; CI must test both databases.`); runs.push(["postgresql", async () => 1]); }
  else console.log(`\nPostgreSQL not reachable at ${pgUrl}: skipped the PostgreSQL run (set TEST_DATABASE_URL to test it).`);
}
if (only !== "postgresql") runs.unshift(["sqlite", () => vitest("SQLite", { TEST_DATABASE_URL: "" })]);
const results = [];
if (together) {
  const codes = await Promise.all(runs.map(([, run]) => run()));
  runs.forEach(([name], i) => results.push([name, codes[i]]));
} else {
  for (const [name, run] of runs) results.push([name, await run()]);
}
const failed = results.filter(([, code]) => code !== 0);
console.log(`\n${results.length - failed.length} passed, ${failed.length} failed (database runs: ${results.map(([d, c]) => `${d} ${c === 0 ? "ok" : "FAILED"}`).join(", ")})`);
process.exit(failed.length > 0 ? 1 : 0);
