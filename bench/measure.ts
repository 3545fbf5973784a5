import type { Dialect } from "../src/db/Database";
import type { PathName } from "./BenchPath";
import { calibrate, customerRunner, MESSAGES_PER_CUSTOMER } from "./customer";
import { runClosedLoop, runOpenLoop } from "./drive";
import { RssSampler, snapshotMemory, type MemorySnapshot } from "./memory";
import { MEMORY_DETAIL_ENV, memoryDetail } from "./memoryDetail";
import { openSession, type BenchSession } from "./session";
import { median, summarise } from "./stats";
import { takeTurn } from "./turns";
import { rowsOf, verifySession } from "./verify";

/** How hard to push, and where PostgreSQL lives. */
export interface MeasureOptions {
  customers: number;
  inflight: number;
  /** Customers played before each measured run and not counted (JIT, statement caches, pool). */
  warmup: number;
  /** Full-speed runs per database and path (each on a fresh database); the median is reported. */
  repeat: number;
  /** Offered load of the latency run, in messages per second. */
  offeredMsgPerSec: number;
  pgServer: string;
}

/** One database's figures on one path; the first five fields are the bench's contract with `--json` readers. */
export interface DbResult {
  db: Dialect;
  /** Messages per second at full speed, `inflight` customers at a time: the median of `msgPerSecRuns`. */
  msgPerSec: number;
  /** Latency percentiles (ms) at `offeredMsgPerSec` offered. */
  p50Ms: number;
  p99Ms: number;
  /** Peak resident set size over both runs, MB. */
  rssMb: number;
  customers: number;
  messages: number;
  /** History rows stored by the throughput run (warm-up and calibration included). */
  interactions: number;
  offeredMsgPerSec: number;
  /** Every full-speed run's figure, in the order run (the first runs in a cold process: JIT). */
  msgPerSecRuns: number[];
  /** Slowest message at the offered load, ms. */
  maxMs: number;
  /** Memory after a collection, once half and once all of the throughput run's customers finished. */
  rssHalfMb: number;
  rssFullMb: number;
  heapHalfMb: number;
  heapFullMb: number;
  /** How the customers' messages came in (BenchPath). */
  path: PathName;
  /** This process's CPU time per message at full speed (user + system, µs): the median over the runs. */
  cpuUsPerMsg: number;
}

/** Sessions (fresh databases) one measurement opens: `repeat` full-speed runs, then the latency run. */
export function sessionsPerMeasurement(options: Pick<MeasureOptions, "repeat">): number {
  return options.repeat + 1;
}

/**
 * Measures one database on one path: `repeat` full-speed runs for throughput, then an open-loop run
 * for latency, each on a fresh database with its own calibration and warm-up, each verified against
 * the database at the end, each in a turn the parent gives (turns.ts). Peak RSS is sampled
 * throughout. The median of several runs, because on a shared 2-core VM one run can be 30% off, and
 * the first run in a process is still warming the JIT.
 */
export async function measureDatabase(dialect: Dialect, path: PathName, options: MeasureOptions): Promise<DbResult> {
  const sampler = new RssSampler(50).start();
  try {
    const speeds: (Throughput & { interactions: number })[] = [];
    for (let i = 0; i < options.repeat; i++) speeds.push(await takeTurn(() => inSession(dialect, path, options, (run) => throughputRun(run, options))));
    const speed = speeds.at(-1)!; // memory figures: the last run, in the warmest process
    const latency = await takeTurn(() => inSession(dialect, path, options, (run) => latencyRun(run, options)));
    if (process.env[MEMORY_DETAIL_ENV]) console.error(`${dialect} ${path}, near the peak:\n${sampler.detail}\nat the end:\n${memoryDetail()}`);
    return {
      db: dialect,
      msgPerSec: median(speeds.map((r) => r.msgPerSec)),
      p50Ms: latency.p50Ms,
      p99Ms: latency.p99Ms,
      rssMb: sampler.stop(),
      customers: options.customers,
      messages: options.customers * MESSAGES_PER_CUSTOMER,
      interactions: speed.interactions,
      offeredMsgPerSec: options.offeredMsgPerSec,
      msgPerSecRuns: speeds.map((r) => r.msgPerSec),
      maxMs: latency.maxMs,
      rssHalfMb: speed.half.rssMb,
      rssFullMb: speed.full.rssMb,
      heapHalfMb: speed.half.heapUsedMb,
      heapFullMb: speed.full.heapUsedMb,
      path,
      cpuUsPerMsg: median(speeds.map((r) => r.cpuUsPerMsg)),
    };
  } finally {
    sampler.stop();
  }
}

/** A calibrated, warmed-up session and how to play its measured customers. */
interface PreparedRun {
  session: BenchSession;
  expectedReplies: number[];
}

/**
 * Opens a fresh session, calibrates on one customer, warms up, hands over to `body`, and then checks
 * that the database holds exactly what the customers played (calibration + warm-up + measured).
 */
async function inSession<T>(dialect: Dialect, path: PathName, options: MeasureOptions, body: (run: PreparedRun) => Promise<T>): Promise<T & { interactions: number }> {
  const session = await openSession(dialect, options.pgServer, path);
  try {
    const expectedReplies = await calibrate(session.path);
    const rowsPerCustomer = await rowsOf(session, session.path.userId("calibration", 0));
    await runClosedLoop(0, options.warmup, options.inflight, customerRunner({ path: session.path, group: "warmup", expectedReplies }));
    const result = await body({ session, expectedReplies });
    const interactions = await verifySession(session, {
      customers: 1 + options.warmup + options.customers,
      messagesPerCustomer: MESSAGES_PER_CUSTOMER,
      rowsPerCustomer,
      repliesPerCustomer: expectedReplies.reduce((a, b) => a + b, 0),
    });
    return { ...result, interactions };
  } finally {
    await session.close();
  }
}

/** One full-speed run's rate and CPU time per message, and memory after each half of its customers. */
interface Throughput {
  msgPerSec: number;
  cpuUsPerMsg: number;
  half: MemorySnapshot;
  full: MemorySnapshot;
}

/**
 * Full speed in two halves with a memory snapshot after each (outside the timed spans), so a
 * per-contact leak shows as the second figure growing with the customer count.
 */
async function throughputRun({ session, expectedReplies }: PreparedRun, options: MeasureOptions): Promise<Throughput> {
  const play = customerRunner({ path: session.path, group: "customer", expectedReplies });
  const half = Math.floor(options.customers / 2);
  let elapsedMs = 0;
  let cpuUs = 0;
  const timed = async (first: number, count: number): Promise<MemorySnapshot> => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    await runClosedLoop(first, count, options.inflight, play);
    const used = process.cpuUsage(cpu);
    elapsedMs += performance.now() - started;
    cpuUs += used.user + used.system;
    const snap = snapshotMemory();
    if (process.env[MEMORY_DETAIL_ENV]) console.error(`${session.dialect} ${session.path.name}, ${first + count} customers played, after a collection:\n${memoryDetail()}`);
    return snap;
  };
  const halfMemory = await timed(0, half);
  const fullMemory = await timed(half, options.customers - half);
  const messages = options.customers * MESSAGES_PER_CUSTOMER;
  return { msgPerSec: messages / (elapsedMs / 1000), cpuUsPerMsg: cpuUs / messages, half: halfMemory, full: fullMemory };
}

/** Open loop at the offered rate; every message's deliver-to-resolve time is kept. */
async function latencyRun({ session, expectedReplies }: PreparedRun, options: MeasureOptions) {
  const latencies = new Float64Array(options.customers * MESSAGES_PER_CUSTOMER);
  const play = customerRunner({ path: session.path, group: "customer", expectedReplies, latencies });
  await runOpenLoop(options.customers, options.offeredMsgPerSec / MESSAGES_PER_CUSTOMER, play);
  return summarise(latencies);
}
