/**
 * Load shapes. Both run `count` customers (each a promise that resolves when its conversation is
 * done) and stop launching new ones at the first failure, which they then rethrow.
 */

/** Plays one customer, by index; resolves when all its messages were answered. */
export type CustomerTask = (n: number) => Promise<void>;

/**
 * Closed loop: `inflight` customers at once, a new one starting as soon as one finishes. Measures
 * the most the engine can do (messages/s) with that much concurrency offered.
 */
export async function runClosedLoop(first: number, count: number, inflight: number, customer: CustomerTask): Promise<void> {
  let next = first;
  const end = first + count;
  let failed = false;
  const lane = async () => {
    while (!failed && next < end) {
      const n = next++;
      try {
        await customer(n);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inflight, count) }, lane));
}

/**
 * Open loop: customer n starts at `n / customersPerSecond` seconds whether or not earlier ones have
 * finished (a late timer is caught up at once), as real customers do not wait for each other. Each
 * customer still sends its next message only after the previous reply. Measures latency at a given
 * offered load without the closed loop's self-throttling hiding a slow engine.
 */
export async function runOpenLoop(count: number, customersPerSecond: number, customer: CustomerTask): Promise<void> {
  const intervalMs = 1000 / customersPerSecond;
  const startedAt = performance.now();
  const running: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  for (let n = 0; n < count && !failure; n++) {
    const wait = startedAt + n * intervalMs - performance.now();
    if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
    running.push(customer(n).catch((error) => { failure ??= { error }; }));
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}
