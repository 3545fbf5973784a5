import type { Logger } from "../core/log";

/** One periodic task: a name for the log and the work, which must be safe to run twice. */
export interface SweepTask {
  name: string;
  run(now: Date): Promise<number>;
}

/**
 * Runs time-based work (points expiry and reminders, confirming referral rewards after their hold)
 * every `intervalMs`. Every task claims its rows with conditional updates and writes through
 * idempotency keys, so several instances can sweep the same database without doing anything twice.
 * A failing task is logged and retried at the next tick; it never stops the others.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly tasks: SweepTask[], private readonly log: Logger, private readonly intervalMs = 60_000) {}

  /** Starts ticking (the first sweep runs at once). */
  start(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
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

  /** Stops ticking and waits for a sweep in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
