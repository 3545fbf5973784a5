import { PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const MB = 1024 * 1024;

/** V8's default: each growth doubles the young generation, up to 16 MB a half (32 MB in all). */
const DEFAULT_GROWTH_FACTOR = 2;

/** V8's own bound on a half of the young generation on 64-bit machines (MB). */
const V8_SEMI_SPACE_MB = 16;

/**
 * Keeps V8's young generation at the size it has (1 MB a half when called first thing) while
 * `rapport start` starts, until releaseYoungGeneration() once the server is ready (issue 17: idle
 * ≤ 100 MB).
 *
 * Why: starting loads the modules and parses the flows, the locales and Prisma's data model; what
 * survives those young collections made V8 double its young generation four times, to 32 MB, and an
 * idle server then kept it (idle RSS 135 MB, 31 MB of it that space; 104 MB with the hold).
 *
 * Call it as early as possible (start's command action, before start's code is even loaded). V8
 * reads this flag at each growth, so setting it at run time works (measured on Node 20).
 */
export function holdYoungGeneration(): void {
  setGrowthFactor(1);
}

/**
 * Ends holdYoungGeneration(): the young generation grows with the load again, up to `semiSpaceMb` a
 * half (YOUNG_GENERATION_MB; V8's own bound, 16, by default).
 *
 * A smaller bound is a trade (issue 17, bench/README.md "Footprint"): V8 keeps both halves resident,
 * so 8 MB a half is 16 MB less under any traffic, but V8 then scavenges about twice as often, each
 * scavenge copying the same in-flight messages: +1% to +6% CPU per message in paired bench runs
 * (4 MB and 2 MB cost more). So it is the operator's choice, not the default.
 *
 * `--max-semi-space-size` would say it more simply, but V8 reads it only as the process starts, and
 * `rapport start` is started by operators' own command lines (`node bin/rapport.mjs start`, npm,
 * systemd). So the growth factor V8 reads at each growth is switched instead: to 1 once a collection
 * finds a half at the bound, back to 2 below it (V8 shrinks the space again when allocation slows).
 * Checked after every collection (a GC observer: a few µs each, tens per second at full speed); a
 * growth needs several collections' survivors, so only a long synchronous stretch (none on the hot
 * path; start-up's, which the hold covers) could double it once past the bound before a check.
 */
export function releaseYoungGeneration(semiSpaceMb = V8_SEMI_SPACE_MB): void {
  if (semiSpaceMb >= V8_SEMI_SPACE_MB) {
    bound = Infinity; // V8's own bound: nothing to follow (an observer from a smaller bound lets it grow)
    setGrowthFactor(DEFAULT_GROWTH_FACTOR);
    return;
  }
  bound = semiSpaceMb * MB;
  followYoungGeneration();
  if (observer) return;
  observer = new PerformanceObserver(followYoungGeneration);
  observer.observe({ entryTypes: ["gc"] });
}

/**
 * How far past what the last full collection kept V8 may let the old generation grow before the next
 * one, once ready: 100% (twice the live heap). V8 picks the factor itself from its speed figures, up
 * to 4× when the process is mostly idle, and that is where a busy-then-quiet process's peak came
 * from: issue 17's bench on PostgreSQL held 87 MB of old generation in use, 27.8 MB of it live, in its
 * 1,000 msg/s run (peak 197-219 MB). At full speed V8 already stays under 2× (34-45 MB of pages for
 * ~22 MB live), so the bound changes little there. V8 reads the flag at each full collection.
 *
 * `rapport purchases import` calls it too (only the command: the import's tests leave V8 alone). Each
 * chunk's rows live across a few young collections and are promoted, and at V8's own factor the
 * process grew with the file (293 MB anonymous RSS at 100,000 rows, 366 MB at 1,000,000); at 100 %
 * it stays near twice the live set whatever the file's size. Side by side on 200,000 rows: V8's own
 * choice 14,100-15,300 rows per CPU second at 210-216 MB; 100 % 14,500-15,600 at 147-150 MB; 50 %
 * 13,900-14,100 at 128-137 MB. A heap limit (--max-old-space-size) would fail a shop whose live set
 * is larger (the contact cache holds up to 100,000 customers); this only collects sooner.
 */
export function boundOldGeneration(): void {
  setFlagsFromString("--heap-growing-percent=100");
}

/**
 * Once ready: one full, compacting collection, so what starting left behind (the migrations'
 * statements, the parsed flow files, locales and Prisma's data model as they were read) is freed
 * and its pages given back before traffic comes. It takes 60-200 ms, once, before readiness.
 *
 * Why (issue 17: idle ≤ 100 MB): V8's memory reducer does the same by itself, but only 10-15 s
 * after the process goes quiet; until then an idle `rapport start` held 97-101 MB, afterwards
 * 91-93 (old generation 24 → 20 MB, the Wasm compiler's and modules' external memory 6.2 → 4.0 MB).
 * Measured 3 s after ready: 91-93 MB instead of 99-104 on Node 20 (SQLite); 103-108 instead of 111-113
 * on Node 24 (PostgreSQL). The old generation's next limit (boundOldGeneration:
 * twice what the last full collection kept) starts from the live heap, not from start-up's garbage.
 *
 * `gc` is taken from a fresh context with --expose-gc set for that moment only (it is not left on
 * globalThis). A plain full collection frees the objects but keeps their pages: on Node 20 (V8 11)
 * compaction is asked for that one collection, and its freed pages go back within a second; Node
 * 24's V8 keeps freed pages pooled (an idle start measured 129 MB with compaction alone, 111
 * without any collection) until a "last-resort" collection, which Node 20's V8 does not know and
 * does as something cheaper (8 ms, nothing freed: with it alone the idle start stayed at 100 MB).
 * So: a compacting collection, then a last-resort one; each runtime frees its pages in one of them.
 */
export function collectStartupGarbage(): void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as (options?: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;
  setFlagsFromString("--no-expose-gc");
  setFlagsFromString("--compact-on-every-full-gc");
  try {
    gc();
  } finally {
    setFlagsFromString("--no-compact-on-every-full-gc");
  }
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
}

let bound = 0;
/** The growth factor last set here; 0 until then (the process may have set the flag itself, as the bench's children do). */
let factor = 0;
let observer: PerformanceObserver | undefined;

/** Lets the young generation double while a half is below the bound, and holds it there. */
function followYoungGeneration(): void {
  const young = getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
  if (!young) return;
  // A half's capacity (what is used in it plus what is free), not space_size, which counts both
  // halves, or one when V8 has given the idle half back. 10% slack: capacities are page multiples.
  const half = young.space_used_size + young.space_available_size;
  setGrowthFactor(half * 1.1 >= bound ? 1 : DEFAULT_GROWTH_FACTOR);
}

function setGrowthFactor(wanted: number): void {
  if (wanted === factor) return;
  setFlagsFromString(`--semi-space-growth-factor=${wanted}`);
  factor = wanted;
}
