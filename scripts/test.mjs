#!/usr/bin/env node
// `npm test`: the whole suite on SQLite, then again on PostgreSQL.
//
// PostgreSQL comes from TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres; each
// test file creates its own database there). On a laptop without PostgreSQL the second run is skipped
// with a notice; under CI (CI=true) an unreachable server is a failure, because both must be tested.
import { spawnSync } from "node:child_process";
import pg from "pg";

const extra = process.argv.slice(2);
const pgUrl = process.env.TEST_DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const only = process.env.TEST_DB; // "sqlite" or "postgresql" to run one

// Files that start `rapport` with its default SQLite file or with no database at all: the PostgreSQL
// pass would run them again unchanged (about a minute of the two cores).
const DATABASE_INDEPENDENT = ["test/cli/start.test.ts", "test/cli/startTelegram.test.ts", "test/cli/startSlack.test.ts", "test/cli/flowsLint.test.ts", "test/cli/campaignsLint.test.ts", "test/cli/flowsTest.test.ts", "test/cli/index.test.ts",
  "test/cli/context.test.ts", "test/db/checkDatabase.test.ts", "test/scripts/build.test.ts", "test/cli/consoleUsers.test.ts",
  // Pages in a browser, texts and flow files: what they check does not change with the database (the
  // queries behind the pages are tested on both through the API, CLI and domain tests).
  "test/console/**", "test/channels/webchat/widget.browser.test.ts", "test/i18n/**", "test/flows/lint/**", "test/flows/steps/**",
  "test/flows/lintFlows.test.ts", "test/flows/docsExamples.test.ts", "test/flows/loadFlowFile.test.ts", "test/flows/suggest.test.ts", "test/flows/template.test.ts", "test/flows/conditions.test.ts"];

function vitest(label, env, exclude = []) {
  console.log(`\n=== tests on ${label} ===`);
  const args = ["node_modules/vitest/vitest.mjs", "run", ...exclude.flatMap((f) => ["--exclude", f]), ...extra];
  const r = spawnSync(process.execPath, args, { stdio: "inherit", env: { ...process.env, ...env } });
  return r.status ?? 1;
}

async function reachable(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try { await c.connect(); await c.query("SELECT 1"); return true; } catch { return false; } finally { await c.end().catch(() => {}); }
}

const results = [];
if (only !== "postgresql") results.push(["sqlite", vitest("SQLite", { TEST_DATABASE_URL: "" })]);
if (only !== "sqlite") {
  if (await reachable(pgUrl)) results.push(["postgresql", vitest(`PostgreSQL (${pgUrl.replace(/\/\/[^@]*@/, "//")})`, { TEST_DATABASE_URL: pgUrl }, DATABASE_INDEPENDENT)]);
  else if (process.env.CI) { console.error(`\nPostgreSQL at ${pgUrl} is not reachable; CI must test both databases.`); results.push(["postgresql", 1]); }
  else console.log(`\nPostgreSQL not reachable at ${pgUrl}: skipped the PostgreSQL run (set TEST_DATABASE_URL to test it).`);
}
const failed = results.filter(([, code]) => code !== 0);
console.log(`\n${results.length - failed.length} passed, ${failed.length} failed (database runs: ${results.map(([d, c]) => `${d} ${c === 0 ? "ok" : "FAILED"}`).join(", ")})`);
process.exit(failed.length > 0 ? 1 : 0);
