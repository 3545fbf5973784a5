/**
 * The fault benchmark (issue 13, "Fault benchmark"): `npm run bench:faults [-- --quick] [--db sqlite|postgresql]
 * [--mode polling|webhook] [--fault kill|database|telegram|slack]`. Real `rapport start` processes, Telegram
 * over HTTP against the Bot API emulator, Slack against its fake, faults injected while customers chat; prints
 * per scenario what was sent, stored, delivered and lost, and exits 1 if anything was lost. See bench/README.md.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_PG_SERVER, postgresProblem } from "../databases";
import type { Dialect } from "../../src/db/Database";
import { FULL, QUICK, runScenario, type Fault, type Outcome, type Scenario } from "./scenario";

const args = process.argv.slice(2);
const option = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const only = <T extends string>(name: string, all: T[]): T[] => { const v = option(name); return v ? (v.split(",") as T[]).filter((x) => all.includes(x)) : all; };

const quick = args.includes("--quick");
const timing = { ...(quick ? QUICK : FULL), ...(option("customers") ? { customers: Number(option("customers")) } : {}) };
const pgServer = process.env.BENCH_PG_URL ?? DEFAULT_PG_SERVER;
let dialects = only<Dialect>("db", ["sqlite", "postgresql"]);
const modes = only<"polling" | "webhook">("mode", ["polling", "webhook"]);
const faults = only<Fault>("fault", ["kill", "database", "telegram", "slack"]);
const logDir = mkdtempSync(join(tmpdir(), "rapport-bench-faults-"));

if (dialects.includes("postgresql")) {
  const problem = await postgresProblem(pgServer);
  if (problem) {
    console.log(`PostgreSQL at ${pgServer} is not usable (${problem}); skipping it. Set BENCH_PG_URL to use another server.`);
    dialects = dialects.filter((d) => d !== "postgresql");
  }
}

console.log(`fault bench${quick ? " (--quick)" : ""}: ${timing.customers} customers per scenario (a quarter with a person in Slack); logs in ${logDir}`);
const outcomes: Outcome[] = [];
for (const dialect of dialects) for (const mode of modes) for (const fault of faults) {
  const s: Scenario = { dialect, mode, fault };
  const started = Date.now();
  process.stdout.write(`${dialect} ${mode} ${fault} … `);
  const o = await runScenario(s, timing, pgServer, logDir);
  outcomes.push(o);
  console.log(`${((Date.now() - started) / 1000).toFixed(0)} s${o.error ? ` (error: ${o.error})` : ""}`);
}

const header = ["scenario", "updates sent", "stored once", "lost", "replies stored", "delivered", "never delivered", "delivered twice", "staff replies acked/delivered", "drain s"];
const rows = outcomes.map((o) => [
  `${o.scenario.dialect} ${o.scenario.mode} ${o.scenario.fault}`, o.updatesSent, o.storedOnce + (o.storedTwice ? ` (+${o.storedTwice} twice)` : ""), o.lost,
  o.repliesStored, o.delivered, o.neverDelivered, o.deliveredTwice, `${o.staffAcked}/${o.staffDelivered}`, o.drainSeconds === undefined ? "never" : o.drainSeconds.toFixed(1),
].map(String));
console.log(`\n| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
for (const r of rows) console.log(`| ${r.join(" | ")} |`);

for (const o of outcomes.filter((o) => (o.deliveredTwice > 0 || (o.drainSeconds ?? Infinity) > 30) && !(o.lost > 0 || o.neverDelivered > 0 || o.staffDelivered < o.staffAcked || o.error))) {
  console.log(`\n${o.scenario.dialect} ${o.scenario.mode} ${o.scenario.fault} (log ${o.log}):\n  ${o.trace.join("\n  ")}`);
}

const lost = outcomes.filter((o) => o.lost > 0 || o.neverDelivered > 0 || o.staffDelivered < o.staffAcked || o.error);
if (lost.length > 0) {
  for (const o of lost) console.log(`\n${o.scenario.dialect} ${o.scenario.mode} ${o.scenario.fault} (log ${o.log}):\n  ${o.trace.join("\n  ")}`);
  console.log(`\nLOST in ${lost.length} scenario(s): ${lost.map((o) => `${o.scenario.dialect} ${o.scenario.mode} ${o.scenario.fault}`).join("; ")} (logs in ${logDir})`);
  process.exit(1);
}
console.log("\nnothing lost");
process.exit(0);
