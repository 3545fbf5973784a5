import { setFlagsFromString } from "node:v8";

/** V8's default: each growth doubles the young generation, up to 16 MB a half (32 MB in all). */
const DEFAULT_GROWTH_FACTOR = 2;

/**
 * Keeps V8's young generation at the size it has (1 MB a half when called first thing) while
 * `rapport start` starts, until releaseYoungGeneration() once the server is ready (issue 17: idle
 * ≤ 100 MB).
 *
 * Why: starting loads the modules and parses the flows, the locales and Prisma's data model; what
 * survives those young collections made V8 double its young generation four times, to 32 MB, and an
 * idle server then kept it (idle RSS 135 MB, 31 MB of it that space; 104 MB with the hold). Traffic
 * grows it again as V8 sees fit, so throughput is what it was: a young generation capped for good
 * (`--max-semi-space-size=1`) cost 10-20% more CPU per message in the bench (bench/README.md,
 * "Footprint"), and that limit cannot be set from inside a running process anyway. V8 shrinks the
 * space again when allocation slows after a burst.
 *
 * Call it as early as possible (start's command action, before start's code is even loaded). V8
 * reads this flag at each growth, so setting it at run time works (measured on Node 20).
 */
export function holdYoungGeneration(): void {
  setFlagsFromString("--semi-space-growth-factor=1");
}

/** Ends holdYoungGeneration(): the young generation grows with the load again. */
export function releaseYoungGeneration(): void {
  setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH_FACTOR}`);
}
