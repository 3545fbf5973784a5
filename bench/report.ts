import type { Dialect } from "../src/db/Database";
import type { DbResult } from "./measure";

/** Rapport's performance targets on a 2-core machine, every interaction persisted before its reply (bench/README.md). */
export const TARGETS = {
  msgPerSec: { sqlite: 10_000, postgresql: 4_000 } satisfies Record<Dialect, number>,
  /** p99 latency at 1,000 messages/s offered. */
  p99Ms: 10,
  /** The most the Telegram adapter may cost: 1 − telegram msg/s ÷ core msg/s (issue #4). */
  adapterCost: 0.2,
} as const;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * One line of `--json` output. Field order is fixed (db, msgPerSec, p50Ms, p99Ms, rssMb first, then
 * path), so scripts can also compare lines as text; extra fields follow.
 */
export function jsonLine(r: DbResult): string {
  return JSON.stringify({
    db: r.db, msgPerSec: Math.round(r.msgPerSec), p50Ms: round(r.p50Ms, 2), p99Ms: round(r.p99Ms, 2), rssMb: round(r.rssMb, 1), path: r.path,
    customers: r.customers, messages: r.messages, interactions: r.interactions, offeredMsgPerSec: r.offeredMsgPerSec,
    msgPerSecRuns: r.msgPerSecRuns.map(Math.round), maxMs: round(r.maxMs, 2),
    rssHalfMb: round(r.rssHalfMb, 1), rssFullMb: round(r.rssFullMb, 1), heapHalfMb: round(r.heapHalfMb, 1), heapFullMb: round(r.heapFullMb, 1),
    cpuUsPerMsg: round(r.cpuUsPerMsg, 1),
  });
}

/** What the adapter costs on one database: the share of the core path's msg/s lost on the telegram path, and the CPU it adds per message. */
export function adapterCost(results: DbResult[], db: Dialect): { share: number; cpuUsPerMsg: number } | undefined {
  const core = results.find((r) => r.db === db && r.path === "core");
  const telegram = results.find((r) => r.db === db && r.path === "telegram");
  return core && telegram ? { share: 1 - telegram.msgPerSec / core.msgPerSec, cpuUsPerMsg: telegram.cpuUsPerMsg - core.cpuUsPerMsg } : undefined;
}

/** The human table: figures per database and path beside their targets, ✓ or ✗ for each, then the adapter's cost. */
export function table(results: DbResult[]): string {
  const mark = (ok: boolean) => (ok ? "✓" : "✗");
  const header = ["database", "path", "msg/s", "target", "", "p50 ms", "p99 ms", "target", "", "max ms", "peak RSS MB", "RSS/heap MB after ½ → all customers"];
  const rows = results.map((r) => {
    const speedTarget = TARGETS.msgPerSec[r.db];
    return [
      r.db, r.path, Math.round(r.msgPerSec).toLocaleString("en"), `≥ ${speedTarget.toLocaleString("en")}`, mark(r.msgPerSec >= speedTarget),
      r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), `≤ ${TARGETS.p99Ms}`, mark(r.p99Ms <= TARGETS.p99Ms),
      r.maxMs.toFixed(1), r.rssMb.toFixed(1),
      `${r.rssHalfMb.toFixed(1)} → ${r.rssFullMb.toFixed(1)}  /  ${r.heapHalfMb.toFixed(1)} → ${r.heapFullMb.toFixed(1)}`,
    ];
  });
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => [...row[c]!].length)));
  const numeric = new Set([2, 5, 6, 9, 10]);
  const lines = all.map((row) => row.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  ").trimEnd());
  const runs = results.map((r) => `${r.db} ${r.path} full-speed runs: ${r.msgPerSecRuns.map((x) => Math.round(x).toLocaleString("en")).join(", ")} msg/s; ${r.cpuUsPerMsg.toFixed(0)} µs CPU per message`);
  const costs = [...new Set(results.map((r) => r.db))].flatMap((db) => {
    const cost = adapterCost(results, db);
    if (!cost) return [];
    const cpu = `${cost.cpuUsPerMsg >= 0 ? "+" : "−"}${Math.abs(cost.cpuUsPerMsg).toFixed(0)} µs CPU per message`;
    return [`${db} adapter cost: 1 − telegram ÷ core msg/s = ${(cost.share * 100).toFixed(1)}%  target ≤ ${TARGETS.adapterCost * 100}%  ${mark(cost.share <= TARGETS.adapterCost)}  (${cpu})`];
  });
  return [...lines, "", ...runs, ...(costs.length > 0 ? ["", ...costs] : [])].join("\n");
}
