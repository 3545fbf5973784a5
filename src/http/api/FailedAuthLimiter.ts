import { ApiError } from "./errors";

/** Limits of the failed-attempt counter; the defaults allow a misconfigured client to notice, not to guess. */
export interface FailedAuthLimits {
  /** Failed attempts allowed per address within `windowMs`; the next ones get 429. */
  maxFailures?: number;
  windowMs?: number;
  /** Addresses remembered at most (oldest forgotten first), so a flood of addresses cannot exhaust memory. */
  maxAddresses?: number;
}

/**
 * Counts failed API authentications per client address (issue 16): after `maxFailures` within a
 * window, that address gets 429 with Retry-After until the window ends, before its key is even
 * looked at, so a key cannot be guessed at network speed. In memory, per process: each instance
 * limits on its own, which still bounds guessing to a few attempts per minute per instance.
 */
export class FailedAuthLimiter {
  private readonly failures = new Map<string, { count: number; until: number }>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;

  constructor(limits: FailedAuthLimits = {}, private readonly clock: () => number = Date.now) {
    this.maxFailures = limits.maxFailures ?? 10;
    this.windowMs = limits.windowMs ?? 60_000;
    this.maxAddresses = limits.maxAddresses ?? 10_000;
  }

  /** Throws 429 when `address` used up its failed attempts; call before checking the key. */
  check(address: string): void {
    const entry = this.failures.get(address);
    const now = this.clock();
    if (!entry) return;
    if (entry.until <= now) return void this.failures.delete(address);
    if (entry.count >= this.maxFailures) {
      const seconds = Math.max(1, Math.ceil((entry.until - now) / 1000));
      throw new ApiError(429, "too_many_failed_attempts", `too many requests with a missing or wrong API key from this address; try again in ${seconds} s with the right key`, "authorization", { "retry-after": String(seconds) });
    }
  }

  /** Counts a failed attempt from `address`. */
  fail(address: string): void {
    const now = this.clock();
    const entry = this.failures.get(address);
    if (entry && entry.until > now) {
      entry.count++;
      return;
    }
    this.failures.delete(address);
    if (this.failures.size >= this.maxAddresses) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(address, { count: 1, until: now + this.windowMs });
  }

  /** A successful request clears the address's count. */
  succeed(address: string): void {
    this.failures.delete(address);
  }
}
