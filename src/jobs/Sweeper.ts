import type { Logger } from "../core/log";
import { soleLeadership, type Leadership } from "../db/Leadership";

/** One periodic task: a name for the log and the work, which must be safe to run twice. */
export interface SweepTask {
  name: string;
  run(now: Date): Promise<number>;
}

/**
 * Runs time-based work (points expiry and reminders, confirming referral rewards after their hold,
 * answering messages whose turn never finished) every `intervalMs`. With several instances on one
 * PostgreSQL database only the leader sweeps (issue 17): the one holding the sweeper's advisory lock
 * (Leadership); the others ask again at each tick, so when the leader dies another one sweeps within
 * an interval. Every task also claims its rows with conditional updates and writes through
 * idempotency keys, so a sweep that overlaps another (a leader cut off from the database mid-sweep
 * while another takes over) still does nothing twice. A failing task is logged and retried at the
 * next tick; it never stops the others.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private leading = false;
  private asking: Promise<void> | undefined;

  constructor(private readonly tasks: SweepTask[], private readonly log: Logger, private readonly intervalMs = 60_000, private readonly leadership: Leadership = soleLeadership) {}

  /** Starts ticking (the first sweep runs at once where this process leads). */
  start(): void {
    if (this.timer) return;
    const round = () => { if (!this.asking) this.asking = this.lead().finally(() => (this.asking = undefined)); };
    round();
    this.timer = setInterval(round, this.intervalMs);
    this.timer.unref();
  }

  /** One timed round: sweeps if this process leads (or just took the lead); says so when that changes. */
  private async lead(): Promise<void> {
    const leads = await this.leadership.held();
    if (leads !== this.leading) {
      this.leading = leads;
      if (leads) this.log.info("this instance runs the sweeper now (it holds the sweeper's lock)", { pid: process.pid });
      else this.log.warn("this instance no longer runs the sweeper (its lock connection was lost)", { pid: process.pid });
    }
    if (leads && this.timer) await this.tick();
  }

  /** Runs every task once now; resolves when done (the CLI's `rapport loyalty sweep`, tests). */
  async tick(now = new Date()): Promise<Record<string, number>> {
    while (this.running) await this.running; // one sweep at a time; a caller waits its turn
    const counts: Record<string, number> = {};
    let done!: () => void;
    this.running = new Promise((r) => (done = r));
    try {
      for (const task of this.tasks) {
        try {
          counts[task.name] = await task.run(now);
          if (counts[task.name]! > 0) this.log.info("sweep", { task: task.name, count: counts[task.name] });
        } catch (error) {
          this.log.error("sweep task failed; retrying at the next tick", { task: task.name, error: error as Error });
        }
      }
    } finally {
      done();
      this.running = undefined;
    }
    return counts;
  }

  /** Stops ticking, waits for a sweep in progress, and gives the lead back (another instance takes over). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.asking;
    await this.running;
    await this.leadership.release();
    this.leading = false;
  }
}
