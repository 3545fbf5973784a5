#!/usr/bin/env node
// `npm run bench:import`: rows per second of `rapport purchases import` (issue 17: ≥ 5,000 on SQLite,
// ≥ 3,000 on PostgreSQL) and its peak memory, on a fresh database per run.
//
// The file is made here: ROWS orders (one row each) for CONTACTS customers `shop:c<n>`, amounts from
// 1.00 to 300.00 in EUR and USD, dated over the past year (a backfill: no purchase.recorded events),
// every 50th row a repeat of an earlier order id and every 100th a rejected row (bad amount). The
// customers are inserted with SQL after `rapport chat` has created and migrated the database. The
// import runs as an operator runs it, a child process timed from spawn to exit (so the file's first
// pass, opening the database and closing it are counted), with its CPU time (GNU time) and its peak
// RSS read from /proc (VmHWM, and RssAnon: without the SQLite file pages mapped into memory). The
// peak anonymous RSS is also noted when the import reports 10%, 50% and 100% of the file done (its
// progress lines on stderr): issue 17 asks for memory that stays flat with the file's size, so the
// peak over the first tenth must be about the peak over the whole file.
// Then `rapport loyalty verify` must pass and the purchase count must match.
//
// Options: --rows N (100,000), --contacts N (ROWS / 10), --db sqlite|postgresql|both (both).
// BENCH_PG_URL names the PostgreSQL server (default postgresql://postgres@127.0.0.1:5432/postgres).
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import BetterSqlite3 from "better-sqlite3";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin/rapport.mjs");
const { values } = parseArgs({ options: { rows: { type: "string", default: "100000" }, contacts: { type: "string" }, db: { type: "string", default: "both" } } });
const ROWS = Number(values.rows);
const CONTACTS = Number(values.contacts ?? Math.max(1, Math.floor(ROWS / 10)));
const PG_SERVER = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const scratch = mkdtempSync(join(tmpdir(), "rapport-bench-import-"));
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

/** Writes the CSV; returns how many rows should be imported, repeated and rejected. */
async function writeFile(file) {
  const out = createWriteStream(file);
  const write = (s) => (out.write(s) ? undefined : new Promise((r) => out.once("drain", r)));
  await write("customer,orderId,amount,currency,occurredAt\n");
  const expected = { imported: 0, duplicates: 0, rejected: 0 };
  const yearAgo = Date.now() - 365 * 86_400_000;
  for (let k = 0; k < ROWS; k++) {
    const customer = `shop:c${k % CONTACTS}`;
    const at = new Date(yearAgo + Math.floor((k / ROWS) * 360 * 86_400_000)).toISOString();
    let row;
    if (k % 100 === 99) { row = `${customer},R${k},1.234,EUR,${at}`; expected.rejected++; }
    else if (k % 50 === 49) { row = `${customer.replace(/\d+$/, String((k - 40) % CONTACTS))},O${k - 40},${amount(k - 40)},${currency(k - 40)},${at}`; expected.duplicates++; }
    else { row = `${customer},O${k},${amount(k)},${currency(k)},${at}`; expected.imported++; }
    await write(row + "\n");
  }
  await new Promise((r) => out.end(r));
  return expected;
}
const amount = (k) => `${1 + (k * 7919) % 300}.${String(k % 100).padStart(2, "0")}`;
const currency = (k) => (k % 4 === 0 ? "USD" : "EUR");

function rapport(args, env) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8", cwd: scratch, input: "" });
  return r;
}

async function freshDatabase(db) {
  if (db === "sqlite") return { url: `file:${join(scratch, `import-${Date.now()}.db`)}`, dispose: async () => {} };
  const name = `rapport_bench_import_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_SERVER);
  url.pathname = `/${name}`;
  return { url: url.toString(), dispose: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function admin(statement) {
  const c = new pg.Client({ connectionString: PG_SERVER });
  await c.connect();
  try { await c.query(statement); } finally { await c.end(); }
}

/** Inserts CONTACTS customers with identities shop:c<n>, in one transaction. */
async function seed(db, url) {
  const now = new Date().toISOString();
  if (db === "sqlite") {
    const s = new BetterSqlite3(url.slice("file:".length));
    const contact = s.prepare("INSERT INTO contacts (id, display_name, created_at, updated_at) VALUES (?, ?, ?, ?)");
    const identity = s.prepare("INSERT INTO channel_identities (channel, external_id, contact_id, created_at) VALUES ('shop', ?, ?, ?)");
    s.transaction(() => { for (let n = 0; n < CONTACTS; n++) { contact.run(`bench-c${n}`, `c${n}`, now, now); identity.run(`c${n}`, `bench-c${n}`, now); } })();
    s.close();
    return;
  }
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("BEGIN");
    for (let n = 0; n < CONTACTS; n += 1000) {
      const ids = Array.from({ length: Math.min(1000, CONTACTS - n) }, (_, i) => n + i);
      await c.query("INSERT INTO contacts (id, display_name, created_at, updated_at) SELECT 'bench-c' || x, 'c' || x, now(), now() FROM unnest($1::int[]) AS x", [ids]);
      await c.query("INSERT INTO channel_identities (channel, external_id, contact_id, created_at) SELECT 'shop', 'c' || x, 'bench-c' || x, now() FROM unnest($1::int[]) AS x", [ids]);
    }
    await c.query("COMMIT");
  } finally {
    await c.end();
  }
}

/**
 * Runs the import; returns its output, wall and CPU seconds (user + system, from GNU time), peak RSS
 * (VmHWM) and peak anonymous RSS in MB, overall and by 10%, 50% and 100% of the file. RssAnon is
 * the process's own memory (V8's heap, SQLite's page cache, malloc); the rest of RSS is mapped files
 * (node's binary, shared libraries), shared with other processes. SQLite maps no database file
 * (mmap_size 0, Database.ts).
 */
function timeImport(file, env) {
  return new Promise((resolveRun, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn("/usr/bin/time", ["-f", "CPU %U %S", process.execPath, BIN, "purchases", "import", file], { env, cwd: scratch, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "", peakKb = 0, anonKb = 0;
    const anonAt = {}; // percent of the file done → peak anonymous RSS (kB) until then
    const read = () => {
      try {
        const node = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(" ")[0];
        const status = readFileSync(`/proc/${node}/status`, "utf8");
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
        anonKb = Math.max(anonKb, Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch { /* not started yet, or exited */ }
    };
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      for (const [, percent] of String(d).matchAll(/\((\d+)%\)/g)) { read(); anonAt[percent] = anonKb; }
    });
    const sample = setInterval(read, 100);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(sample);
      const cpu = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      resolveRun({ code, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN, rssMb: peakKb / 1024, anonMb: anonKb / 1024,
        anonAtMb: Object.fromEntries(Object.entries(anonAt).map(([p, kb]) => [p, kb / 1024])) });
    });
  });
}

async function measure(db, file, expected) {
  const database = await freshDatabase(db);
  try {
    const env = { ...process.env, DATABASE_URL: database.url, FLOWS_DIR: join(ROOT, "flows"), LOCALES_DIR: join(ROOT, "locales"), LOG_LEVEL: "warn", HOT_RELOAD: "false" };
    const chat = rapport(["chat", "--user", "seed"], env); // creates and migrates the database
    if (chat.status !== 0) throw new Error(`rapport chat failed: ${chat.stderr}`);
    await seed(db, database.url);
    const run = await timeImport(file, env);
    const summary = run.stdout.split("\n")[0];
    const want = `imported ${expected.imported}, duplicates ${expected.duplicates}, rejected ${expected.rejected}`;
    if (summary !== want) throw new Error(`${db}: the import printed "${summary}", expected "${want}"\n${run.stderr}`);
    const verify = rapport(["loyalty", "verify"], env);
    if (verify.status !== 0) throw new Error(`${db}: rapport loyalty verify failed:\n${verify.stdout}${verify.stderr}`);
    const perCpu = Math.round(ROWS / run.cpuSeconds).toLocaleString("en");
    console.log(`${db.padEnd(10)} ${ROWS.toLocaleString("en").padStart(9)} rows  ${Math.round(ROWS / run.seconds).toLocaleString("en").padStart(6)} rows/s (${run.seconds.toFixed(1)} s wall)  ${perCpu.padStart(6)} rows per CPU second (${run.cpuSeconds.toFixed(1)} s)  peak RSS ${run.rssMb.toFixed(0)} MB, anonymous ${run.anonMb.toFixed(0)} MB  (${summary}; loyalty verify ok)`);
    const at = (p) => (run.anonAtMb[p] === undefined ? "?" : run.anonAtMb[p].toFixed(0));
    console.log(`${"".padEnd(10)} peak anonymous RSS by 10% of the file ${at(10)} MB, by 50% ${at(50)} MB, by 100% ${at(100)} MB`);
  } finally {
    await database.dispose();
  }
}

try {
  const file = join(scratch, "purchases.csv");
  const expected = await writeFile(file);
  console.log(`rapport purchases import, ${ROWS.toLocaleString("en")} rows for ${CONTACTS.toLocaleString("en")} customers (load average before: ${load()}; node ${process.version})`);
  for (const db of values.db === "both" ? ["sqlite", "postgresql"] : [values.db]) await measure(db, file, expected);
  console.log(`load average after: ${load()}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
