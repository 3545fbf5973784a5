/**
 * The campaign lane's pace, per channel (issue 15, "Delivery"): campaign messages leave at most
 * `ratePerSecond` apart, and every other message (a conversation reply, a notification) takes one of
 * those slots without waiting for it. So the channel never carries more than the rate in all, replies
 * are never held back by a campaign, and a campaign gets what the conversations leave (at the default
 * 29/s with 2 replies/s: 27/s; alone, 29/s). The adapter's own limit (Telegram: 30 in any second,
 * overallLimit) leaves the one message/s between the two for replies, so a campaign message rarely waits there. Slots are evenly spaced, never saved up: after a quiet minute the next second
 * still sends `ratePerSecond` at most, so Telegram's 30-per-second window (the adapter's throttler)
 * is not overrun and a reply never finds it spent by a burst of campaign messages.
 *
 * One process paces its own sends; several instances sending one campaign each pace theirs.
 */
/** How far behind its slots the campaign pace may fall and still catch up. */
const CATCH_UP_MS = 250;

export class SendPacer {
  private readonly gapMs: number;
  /** Per channel, when the next slot opens (ms since the epoch). */
  private readonly next = new Map<string, number>();

  constructor(ratePerSecond: number) {
    this.gapMs = 1000 / Math.max(0.001, ratePerSecond);
  }

  /** A message that must not wait (a reply): takes the next slot, pushing campaign messages back. */
  charge(channel: string, now = Date.now()): void {
    this.next.set(channel, Math.max(now, this.next.get(channel) ?? 0) + this.gapMs);
  }

  /** A campaign message: resolves when its slot comes (at once when the channel has been quiet). */
  async wait(channel: string): Promise<void> {
    for (;;) {
      const now = Date.now();
      const at = this.next.get(channel) ?? 0;
      if (at <= now) {
        // From the slot's own time, so a timer that fired late does not slow the pace down, and a
        // stall of the process (a busy machine: bench:campaign lost up to 25 of 29 slots in a second)
        // is made up for; but never more than CATCH_UP_MS back (7 messages at 29/s), so a quiet spell
        // is not made up for with a burst that would fill the channel's second ahead of replies.
        this.next.set(channel, Math.max(at, now - Math.max(CATCH_UP_MS, this.gapMs / 2)) + this.gapMs);
        return;
      }
      // Another campaign message may take this slot first; then wait for the one after it.
      await new Promise((r) => setTimeout(r, at - now));
    }
  }
}
