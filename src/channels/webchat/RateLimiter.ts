/** A limit: at most `max` requests within any `windowMs`. */
export interface Rate {
  max: number;
  windowMs: number;
}

/**
 * Counts requests per key (a visitor, an address) in fixed windows and says when one is over its
 * limit and for how long. In memory, per process, bounded in keys (oldest forgotten first), so a
 * flood of new keys cannot exhaust memory.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; until: number }>();

  constructor(private readonly rate: Rate, private readonly maxKeys = 50_000, private readonly clock: () => number = Date.now) {}

  /** Counts one request for `key`; returns 0 when allowed, else the seconds until it would be. */
  take(key: string): number {
    const now = this.clock();
    let w = this.windows.get(key);
    if (!w || w.until <= now) {
      this.windows.delete(key);
      if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
      w = { count: 0, until: now + this.rate.windowMs };
      this.windows.set(key, w);
    }
    if (w.count >= this.rate.max) return Math.max(1, Math.ceil((w.until - now) / 1000));
    w.count++;
    return 0;
  }
}
