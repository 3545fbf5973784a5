/**
 * The campaign benchmark (issue 15, "Benchmark"): `npm run bench:campaign [-- --quick] [--db sqlite|postgresql]
 * [--variant steady|kill] [--contacts N] [--rate R]`. A real `rapport start` sends the shipped `winback`
 * campaign to 10,000 Telegram customers (1,000 with --quick) through the Telegram adapter, throttled
 * as in production, to the Bot API emulator, while other customers chat; once straight through and
 * once killed with SIGKILL halfway and restarted. Prints per run the campaign's rate and all messages'
 * (campaign and replies) over the steady part, the busiest second and the clock seconds over 30,
 * duplicates, lost messages, and the chatters' reply latency with and without the campaign; exits 1
 * if a message was lost, a customer got it more than once per crash, or the steady run used less
 * than 95 % of the limit (28.5/s); a clock second that brought the fake more than 30 is reported. Figures in bench/README.md.
 */
import { mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { Dialect } from "../../src/db/Database";
import { DEFAULT_PG_SERVER, postgresProblem } from "../databases";
import { runCampaignScenario, type CampaignOutcome, type CampaignTiming } from "./scenario";

const args = process.argv.slice(2);
const option = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const only = <T extends string>(name: string, all: T[]): T[] => { const v = option(name); return v ? (v.split(",") as T[]).filter((x) => all.includes(x)) : all; };

const quick = args.includes("--quick");
const timing: CampaignTiming = {
  contacts: Number(option("contacts") ?? (quick ? 1_000 : 10_000)),
  chatters: Number(option("chatters") ?? 16),
  ratePerSecond: option("rate") === undefined ? undefined : Number(option("rate")),
};
const pgServer = process.env.BENCH_PG_URL ?? DEFAULT_PG_SERVER;
let dialects = only<Dialect>("db", ["sqlite", "postgresql"]);
const variants = only<"steady" | "kill">("variant", ["steady", "kill"]);
const logDir = mkdtempSync(join(tmpdir(), "rapport-bench-campaign-"));

if (dialects.includes("postgresql")) {
  const problem = await postgresProblem(pgServer);
  if (problem) {
    console.log(`PostgreSQL at ${pgServer} is not usable (${problem}); skipping it. Set BENCH_PG_URL to use another server.`);
    dialects = dialects.filter((d) => d !== "postgresql");
  }
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
console.log(`campaign bench${quick ? " (--quick)" : ""}: ${timing.contacts} customers, CAMPAIGN_RATE ${timing.ratePerSecond ?? "default (29)"}/s, Telegram limit 30/s, ${timing.chatters} customers chatting meanwhile; load ${load()}; logs in ${logDir}`);
const outcomes: CampaignOutcome[] = [];
for (const dialect of dialects) for (const variant of variants) {
  const started = Date.now();
  process.stdout.write(`${dialect} ${variant} … `);
  const o = await runCampaignScenario({ dialect, kill: variant === "kill" }, timing, pgServer, logDir);
  outcomes.push(o);
  console.log(`${((Date.now() - started) / 1000).toFixed(0)} s, load ${load()}${o.error ? ` (error: ${o.error})` : ""}`);
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–");
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "–");
const header = ["run", "customers", "reached", "lost", "duplicates (customers, max each)", "send s", "campaign msg/s overall", "campaign msg/s sustained", "all msg/s sustained", "peak msgs in any 1 s", "clock seconds > 30", "replies during campaign", "reply p50 / p99 / max ms", "without campaign: replies, p50 / p99 ms", "down s", "status: sent / failed / pending"];
console.log(`\n| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
for (const o of outcomes) {
  console.log(`| ${[
    `${o.scenario.dialect} ${o.scenario.kill ? "SIGKILL halfway" : "steady"}`, o.contacts, o.reached, o.lost, `${o.duplicates} (${o.duplicatedChats}, ${o.maxPerChat})`,
    f0(o.seconds), f1(o.rateOverall), f1(o.rateSustained), f1(o.rateAllSustained), o.peakPerSecond, o.secondsOver30, `${o.replies.count}${o.replies.unanswered ? ` (+${o.replies.unanswered} unanswered in 5 s)` : ""}${o.replies.duringRestart ? ` (${o.replies.duringRestart} during the restart left out)` : ""}`,
    `${f0(o.replies.p50)} / ${f0(o.replies.p99)} / ${f0(o.replies.max)}`, `${o.quiet.count}, ${f0(o.quiet.p50)} / ${f0(o.quiet.p99)}`, o.downSeconds === undefined ? "–" : o.downSeconds.toFixed(1),
    o.report ? `${o.report.sent} / ${o.report.failed + o.report.blocked} / ${o.report.pending}` : "–",
  ].join(" | ")} |`);
}

// Issue 15's goal: the channel used at ≥ 95 % of Telegram's 30/s (campaign and replies together), never over it.
const goal = 0.95 * 30;
// Rapport keeps its sends under 30 in any second as they start; what the fake counts is when they arrive, which a loaded machine can bunch.
for (const o of outcomes) if (o.secondsOver30 > 0) console.log(`\n${o.scenario.dialect} ${o.scenario.kill ? "kill" : "steady"}: ${o.secondsOver30} second(s) of the clock brought the fake more than 30 messages (the busiest sliding second: ${o.peakPerSecond})`);
// A kill may cut one send short: that message is failed "interrupted" (it may have arrived) and never
// sent again, so after a kill a customer not reached is lost only if the report does not count them failed.
const unaccounted = (o: (typeof outcomes)[number]) => o.lost - (o.scenario.kill ? (o.report?.failed ?? 0) : 0);
const bad = outcomes.filter((o) => o.error || unaccounted(o) > 0 || o.maxPerChat > 1 || (!o.scenario.kill && o.rateAllSustained < goal)
  || (o.report && o.report.sent + (o.scenario.kill ? o.report.failed : 0) !== o.contacts));
if (bad.length > 0) {
  console.log(`\nFAILED: ${bad.map((o) => `${o.scenario.dialect} ${o.scenario.kill ? "kill" : "steady"}${o.error ? ` (${o.error})` : ""}`).join("; ")} (goal: nothing lost, nobody messaged twice, all messages sustained ≥ ${goal.toFixed(1)} msg/s; logs in ${logDir})`);
  process.exit(1);
}
console.log(`\nnothing lost, nobody messaged twice, all messages sustained ≥ ${goal.toFixed(1)} msg/s`);
process.exit(0);
