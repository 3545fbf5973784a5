/**
 * Group commit: callers submit items one at a time; items that arrive while a flush is running are
 * written together in the next flush, as one transaction. Under load this turns N transactions into
 * one without adding a timer (an idle system flushes at once), which is how Rapport keeps every
 * interaction persisted before its reply and still handles thousands of messages a second.
 */
export class GroupCommit<I, R> {
  private pending: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private running = 0;

  /**
   * @param concurrency flushes allowed in flight at once. SQLite: 1 (its transactions are synchronous).
   *   PostgreSQL: a few, each on its own pooled connection, so one batch's commit (a WAL flush) does
   *   not hold up the next batch; the server then groups the flushes itself.
   */
  constructor(private readonly flush: (items: I[]) => Promise<R[]>, private readonly concurrency = 1, private readonly maxBatch = 256) {}

  /** Queues `item` for the next flush; resolves with its own result once that transaction committed. */
  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.running < this.concurrency) void this.drain();
    });
  }

  private async drain() {
    this.running++;
    // Let callers that are ready in this tick join the first batch too.
    await new Promise<void>((r) => setImmediate(r));
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const results = await this.flush(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (error) {
        if (batch.length === 1) { batch[0]!.reject(error); continue; }
        // One bad item must not fail everyone it was batched with: retry each on its own, so only
        // the culprit (or everyone, when the database itself is down) sees the error.
        for (const b of batch) {
          try { b.resolve((await this.flush([b.item]))[0]!); } catch (e) { b.reject(e); }
        }
      }
    }
    this.running--;
  }
}
