import type { DeliveryReceipt } from "./Channel";
import { DatabaseUnavailableError, NotStoredYetError, RapportError } from "./errors";

/**
 * A message was not handled because an earlier one of the same sender (a Telegram customer, a Slack
 * ticket thread) could not be stored: it is taken again after that one (polling re-fetches both; a
 * webhook gets 500 and Slack no acknowledgement for both), so messages are stored in the order they
 * were sent, also across a database outage.
 */
export class HeldBehindUnstoredError extends RapportError {
  readonly code = "rapport_held_behind_unstored";
  constructor(readonly key: string) {
    super(`not handled: an earlier message from the same sender (${key}) could not be stored; both are taken again when the database is back`);
  }
}

/** True for failures after which the message is not stored and should be delivered again (not dropped, not acknowledged). */
export function isNotStored(error: unknown): boolean {
  return error instanceof DatabaseUnavailableError || error instanceof HeldBehindUnstoredError || error instanceof NotStoredYetError;
}

/**
 * Hands one sender's messages on one after another, each as soon as the one before is stored (the
 * handler may still be busy with it; it keeps its own order). If a message could not be stored, the
 * ones queued behind it fail with HeldBehindUnstoredError instead of being stored ahead of it. Across
 * keys nothing waits. Memory follows the keys with messages in flight.
 */
export class StoreOrder {
  /** Per key, the newest update's gate: true once it is stored (or settled for good), false if it could not be stored. */
  private readonly tails = new Map<string, Promise<boolean>>();

  /** Runs `deliver` for `key` after the previous message of `key` is stored; rejects as `deliver` does. */
  run(key: string, deliver: (receipt: DeliveryReceipt) => Promise<void>): Promise<void> {
    const prior = this.tails.get(key);
    let open!: (stored: boolean) => void;
    const gate = new Promise<boolean>((resolve) => (open = resolve));
    this.tails.set(key, gate);
    void gate.then(() => { if (this.tails.get(key) === gate) this.tails.delete(key); });
    const go = async (): Promise<void> => {
      try {
        await deliver({ stored: () => open(true) });
        open(true);
      } catch (error) {
        open(!isNotStored(error)); // a failure for good (not the database) lets the next one go: it is not taken again
        throw error;
      }
    };
    if (!prior) return go(); // no await before deliver: the handler sees messages in the order they came
    return prior.then((stored) => {
      if (stored) return go();
      open(false);
      throw new HeldBehindUnstoredError(key);
    });
  }
}
