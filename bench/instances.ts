/**
 * The multi-instance bench (issue 17, goal 4): `npm run bench:instances [-- --customers 1000] [--only 1|3|kill]`.
 * Real `rapport start` processes on one PostgreSQL database, webhook mode behind a round-robin proxy,
 * the Bot API emulator and Slack's fake: the three-instance test's scenario (test/helpers/instances/)
 * at full size. Prints, for 1 instance and for 3 (no kill), updates per second through the proxy and
 * the latency of an update (posted until answered: the webhook answers once it is handled and its
 * replies were sent), then runs 3 instances with a kill -9 of the sweeping one and prints what the
 * checks found. Exits 1 when a check failed. Run it alone (flock /work/.suite.lock): it uses both cores.
 */
import { mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_PG_SERVER, freshDatabase, postgresProblem } from "./databases";
import { summarise } from "./stats";
import { runScenario, type ScenarioOptions } from "../test/helpers/instances/scenario";
import { verify } from "../test/helpers/instances/verify";

const args = process.argv.slice(2);
const option = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const customers = Number(option("customers") ?? 1000);
const only = option("only");
const pgServer = process.env.BENCH_PG_URL ?? DEFAULT_PG_SERVER;
const problem = await postgresProblem(pgServer);
if (problem) {
  console.log(`PostgreSQL at ${pgServer} is not usable (${problem}); the multi-instance bench needs it. Set BENCH_PG_URL.`);
  process.exit(1);
}
const logRoot = mkdtempSync(join(tmpdir(), "rapport-bench-instances-"));
const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");
console.log(`multi-instance bench: ${customers} customers (every 6th with a person in Slack), logs in ${logRoot}; load average ${load()}`);

let failed = false;
const plan: { label: string; instances: number; kill: boolean }[] = [
  { label: "1 instance", instances: 1, kill: false },
  { label: "3 instances", instances: 3, kill: false },
  { label: "3 instances, kill -9", instances: 3, kill: true },
].filter((p) => !only || (only === "kill" ? p.kill : String(p.instances) === only && !p.kill));
const rows: string[][] = [];
for (const p of plan) {
  const database = await freshDatabase("postgresql", pgServer);
  const options: ScenarioOptions = {
    databaseUrl: database.url, logDir: join(logRoot, p.label.replace(/\W+/g, "-")), instances: p.instances, customers, handoffEvery: 6,
    jobs: Math.max(30, Math.round(customers / 5)), planted: 10, kill: p.kill, staffReplies: 2, drainMs: 120_000,
  };
  const run = await runScenario(options);
  try {
    const v = await verify(run);
    const lat = summarise(Float64Array.from(run.latencies));
    rows.push([p.label, String(v.updates), (v.updates / (run.driveMs / 1000)).toFixed(0), lat.p50Ms.toFixed(0), lat.p99Ms.toFixed(0), lat.maxMs.toFixed(0),
      `${v.repliesDelivered}/${v.repliesStored}`, String(v.deliveredTwice), `${v.jobsRun}`, `${v.staffRepliesRelayed}`, v.perInstance.join("/"),
      `${(run.startMs / 1000).toFixed(1)} / ${(run.driveMs / 1000).toFixed(1)} / ${(run.drainMs / 1000).toFixed(1)}`, v.problems.length === 0 ? "ok" : `${v.problems.length} problems`, load()]);
    if (v.problems.length > 0) {
      failed = true;
      console.log(`\n${p.label}: ${v.problems.length} problems (logs in ${options.logDir}):\n  ${v.problems.join("\n  ")}`);
    }
  } finally {
    await run.stop();
    await database.dispose().catch(() => undefined);
  }
}
const header = ["run", "updates", "updates/s", "p50 ms", "p99 ms", "max ms", "replies delivered/stored", "delivered twice", "jobs", "staff replies", "per instance", "start / drive / drain s", "checks", "load avg"];
console.log(`\n| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
process.exit(failed ? 1 : 0);
