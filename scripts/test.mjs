#!/usr/bin/env node
// `npm test`: the whole suite on SQLite, then again on PostgreSQL.
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
import { spawnSync } from "node:child_process";
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

function vitest(label, env, exclude = [], node = process.execPath) {
  const version = node === process.execPath ? process.version : spawnSync(node, ["--version"], { encoding: "utf8" }).stdout?.trim();
  if (!version) { console.error(`\n${node} (TEST_NODE_POSTGRESQL) does not run.`); return 1; }
  console.log(`\n=== tests on ${label}, Node.js ${version} ===`);
  const args = ["node_modules/vitest/vitest.mjs", "run", ...exclude.flatMap((f) => ["--exclude", f]), ...extra];
  // Its folder first on PATH, so what the tests spawn as `node` is the same Node.js.
  const path = node === process.execPath ? process.env.PATH : `${dirname(node)}:${process.env.PATH}`;
  const r = spawnSync(node, args, { stdio: "inherit", env: { ...process.env, PATH: path, ...env } });
  return r.status ?? 1;
}

async function reachable(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try { await c.connect(); await c.query("SELECT 1"); return true; } catch { return false; } finally { await c.end().catch(() => {}); }
}

const results = [];
if (only !== "postgresql") results.push(["sqlite", vitest("SQLite", { TEST_DATABASE_URL: "" })]);
if (only !== "sqlite") {
  if (await reachable(pgUrl)) results.push(["postgresql", vitest(`PostgreSQL (${pgUrl.replace(/\/\/[^@]*@/, "//")})`, { TEST_DATABASE_URL: pgUrl }, pgExclude, pgNode)]);
  else if (process.env.CI) { console.error(`\nPostgreSQL at ${pgUrl} is not reachable; CI must test both databases.`); results.push(["postgresql", 1]); }
  else console.log(`\nPostgreSQL not reachable at ${pgUrl}: skipped the PostgreSQL run (set TEST_DATABASE_URL to test it).`);
}
const failed = results.filter(([, code]) => code !== 0);
console.log(`\n${results.length - failed.length} passed, ${failed.length} failed (database runs: ${results.map(([d, c]) => `${d} ${c === 0 ? "ok" : "FAILED"}`).join(", ")})`);
process.exit(failed.length > 0 ? 1 : 0);
