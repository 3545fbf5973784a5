/**
 * Runs tasks one at a time per key (a customer) and concurrently across keys, so a customer's
 * messages are handled in order while thousands of customers proceed in parallel. Memory is
 * proportional to the keys with work in flight, not to the number of customers ever seen.
 */
export class KeyedQueue {
  private tails = new Map<string, Promise<unknown>>();


  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prior = this.tails.get(key) ?? Promise.resolve();
    const result = prior.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves when every queued task has finished. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
