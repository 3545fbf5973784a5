import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { MEMORY_DETAIL_ENV, memoryDetail } from "./memoryDetail";

const MB = 1024 * 1024;

/**
 * Samples the process's resident set size on a timer and keeps the peak. The timer is unref'd so it
 * never keeps the process alive; 50 ms is fine enough to catch a batch's buffers, coarse enough to
 * cost nothing measurable.
 */
export class RssSampler {
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly everyMs = 50) {}

  /** Starts sampling (and takes one sample now). */
  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs).unref();
    return this;
  }

  /** Stops sampling and returns the peak seen, in MB. */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak / MB;
  }

  /** With MEMORY_DETAIL_ENV set: memoryDetail() within 2 MB of the peak (retaken when a sample beats the last one taken by 2 MB). */
  detail = "";
  private detailRss = 0;

  private sample() {
    const rss = process.memoryUsage.rss();
    if (process.env[MEMORY_DETAIL_ENV] && rss > this.detailRss + 2 * MB) {
      this.detail = memoryDetail();
      this.detailRss = rss;
    }
    this.peak = Math.max(this.peak, rss);
  }
}

/** Memory in use at one moment, in MB: after a full collection when the runtime allows one. */
export interface MemorySnapshot {
  rssMb: number;
  heapUsedMb: number;
}

let gc: (() => void) | undefined | null = null;

/**
 * Collects garbage and reads memory. `npm run bench` starts Node without --expose-gc, so the flag is
 * set at run time and `gc` fetched from a fresh context (it only appears in contexts created after
 * the flag). Without a collection, heap figures would measure garbage, not retained state.
 */
export function snapshotMemory(): MemorySnapshot {
  if (gc === null) {
    try {
      setFlagsFromString("--expose-gc");
      gc = runInNewContext("gc") as () => void;
    } catch {
      gc = undefined;
    }
  }
  gc?.();
  const m = process.memoryUsage();
  return { rssMb: m.rss / MB, heapUsedMb: m.heapUsed / MB };
}
