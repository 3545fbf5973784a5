import type { UpdateSupplier } from "@grammyjs/runner";
import type { Api } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../../core/log";

/** What the supplier needs besides the API; tests shorten the waits. */
export interface StoredOffsetOptions {
  log: Logger;
  allowedUpdates: readonly string[];
  /** Whether the database takes writes again (a ping); polled while fetching is paused. Default: yes. */
  storeReady?: () => Promise<boolean>;
  /** Pause between checks of `storeReady` after a store failure (default 1 s). */
  pauseMs?: number;
  /** Longest wait before asking again when only updates still being stored came back (default 200 ms). */
  recheckMs?: number;
}

/** The runner's abort signal (typed with the abort-controller shim grammY uses). */
type Signal = Parameters<UpdateSupplier<Update>["supply"]>[1];

/** getUpdates' long-poll timeout, in seconds (the runner's default). */
const LONG_POLL_SECONDS = 30;

/**
 * Long polling that confirms only what is stored (issue 13, item 2). Telegram forgets every update
 * below the `offset` of a getUpdates call; grammY's runner sends the id after the last update it
 * fetched, so an update that then fails to store (the database down past DB_RETRY_SECONDS) was lost.
 * This supplier (for the runner's createSource) sends the lowest id not yet stored instead, so what
 * Telegram forgets is always in the database, and a process killed meanwhile gets the rest again.
 *
 * Unconfirmed updates come back with every call, so it hands on only the ones it has not handed on
 * (by id), and when nothing new came back it waits for a store before asking again (those calls
 * return at once). When an update could not be stored it stops fetching, checks `storeReady` every
 * `pauseMs`, and then asks from that update on again, which hands it on once more.
 */
export class StoredOffset implements UpdateSupplier<Update> {
  /** Handed on, not stored yet. */
  private readonly pending = new Set<number>();
  /** Could not be stored: to be handed on again when Telegram returns them. */
  private readonly failed = new Set<number>();
  /** The id after the newest update handed on. */
  private next = 0;
  private paused = false;
  private wake: (() => void) | undefined;

  constructor(private readonly api: Api, private readonly options: StoredOffsetOptions) {}

  /** The offset to send: every update below it is stored (or needs no storing). */
  offset(): number {
    let lowest = this.next;
    for (const id of this.pending) lowest = Math.min(lowest, id);
    for (const id of this.failed) lowest = Math.min(lowest, id);
    return lowest;
  }

  /** True while fetching waits for the database. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** The update is in the database (or was ignored, or failed for good): it may be confirmed. */
  settled(updateId: number): void {
    if (this.pending.delete(updateId)) this.wake?.();
  }

  /** The update could not be stored: keep it unconfirmed, stop fetching until the database is back, then take it again. */
  notStored(updateId: number): void {
    if (!this.pending.delete(updateId)) return;
    this.failed.add(updateId);
    if (!this.paused) this.options.log.warn("a Telegram update could not be stored; updates are not confirmed or fetched until the database is back", { updateId });
    this.paused = true;
    this.wake?.();
  }

  async supply(batchSize: number, signal: Signal): Promise<Update[]> {
    for (;;) {
      if (this.paused) await this.untilStorable(signal);
      const busy = this.pending.size > 0 || this.failed.size > 0;
      const updates = await this.fetch(batchSize, busy ? 0 : LONG_POLL_SECONDS, signal);
      this.forgetGone(updates);
      const fresh = updates.filter((u) => u.update_id >= this.next || this.failed.has(u.update_id));
      for (const u of fresh) {
        this.failed.delete(u.update_id);
        this.pending.add(u.update_id);
        this.next = Math.max(this.next, u.update_id + 1);
      }
      if (fresh.length > 0 || (updates.length === 0 && !busy)) return fresh;
      // Only updates still being stored came back (or none, without waiting): ask again after a store, or a short while.
      await this.pause(this.options.recheckMs ?? 200, signal);
    }
  }

  /**
   * Tells Telegram that everything stored is done with (a last getUpdates, as grammY's bot.stop
   * does), so a restart does not get those updates again. Best effort: on failure they come again
   * and are recognised as stored.
   */
  async confirm(): Promise<void> {
    if (this.next === 0) return;
    await this.api.getUpdates({ offset: this.offset(), limit: 1, timeout: 0, allowed_updates: this.options.allowedUpdates as never }).catch(() => undefined);
  }

  /**
   * Telegram keeps an update for 24 hours: one that failed to store and is not returned from its own
   * offset any more is gone, and waiting for it would hold the offset (and Telegram's window) for ever.
   */
  private forgetGone(updates: Update[]): void {
    const first = updates[0]?.update_id;
    if (first === undefined) return;
    for (const id of this.failed) {
      if (id >= first) continue;
      this.failed.delete(id);
      this.options.log.error("Telegram no longer has an update that could not be stored; it is lost", { updateId: id });
    }
  }

  private async untilStorable(signal: Signal): Promise<void> {
    const ready = this.options.storeReady ?? (async () => true);
    do await this.sleep(this.options.pauseMs ?? 1000, signal);
    while (!(await ready().catch(() => false)));
    this.paused = false;
    this.options.log.info("the database is back; fetching Telegram updates again", { from: this.offset() });
  }

  /** getUpdates from the stored offset, retried like the runner's own fetcher (401 and 409 end polling). */
  private async fetch(batchSize: number, timeout: number, signal: Signal): Promise<Update[]> {
    let retryIn = 100;
    for (;;) {
      try {
        const args = { offset: this.offset(), limit: Math.max(1, Math.min(batchSize, 100)), timeout, allowed_updates: this.options.allowedUpdates as never };
        return await this.api.getUpdates(args, signal as never); // grammY types its signal with the abort-controller shim
      } catch (error) {
        if (signal.aborted) throw error;
        const code = (error as { error_code?: number }).error_code;
        if (code === 401 || code === 409) throw error;
        const retryAfter = (error as { parameters?: { retry_after?: number } }).parameters?.retry_after;
        await this.sleep(retryAfter !== undefined ? retryAfter * 1000 : retryIn, signal);
        retryIn = Math.min(retryIn * 2, 10_000);
      }
    }
  }

  /** Waits `ms`, or less when an update is stored or fails. */
  private async pause(ms: number, signal: Signal): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => { clearTimeout(timer); signal.removeEventListener("abort", done); this.wake = undefined; resolve(); };
      const timer = setTimeout(done, ms);
      this.wake = done;
      signal.addEventListener("abort", done);
    });
    if (signal.aborted) throw new Error("polling stopped");
  }

  private async sleep(ms: number, signal: Signal): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => { clearTimeout(timer); signal.removeEventListener("abort", done); resolve(); };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done);
    });
    if (signal.aborted) throw new Error("polling stopped");
  }
}
