import type { Transformer } from "grammy";

/**
 * Marks a send's payload as bulk (a campaign message, OutboundMessage.bulk): it waits for room behind
 * every other waiting send. Removed before the request leaves, so Telegram never sees it.
 */
export const BULK = "rapport_bulk";

/**
 * The bot's overall send limit (Telegram: about 30 messages per second), over a sliding window: a
 * send starts only when fewer than `perSecond` started in the last second, else it waits until the
 * oldest of them is a second old. So no second, however it is cut, carries more than `perSecond`,
 * and a message that must wait waits for one slot (about 1/30 s), not for a window to end. Waiting
 * sends go in the order they came, conversation replies first: a bulk send (a campaign message)
 * goes only when no other send waits, so a reply never waits behind a campaign (issue 15).
 * (Bottleneck's reservoir, refilled every 1,000 ms, let up to 45 through in a second at the edge of
 * its windows and held a reply behind a queue of campaign messages for up to a second:
 * bench:campaign.) A fractional limit keeps its average: 7.5/s is 8 in any 1,067 ms.
 */
export function overallLimit(perSecond: number): Transformer {
  const size = Math.max(1, Math.ceil(perSecond));
  const windowMs = (1000 * size) / Math.max(0.001, perSecond);
  /** Start times of the last `size` sends, oldest first. */
  const started: number[] = [];
  const waiting = { first: [] as (() => void)[], bulk: [] as (() => void)[] };
  let timer: NodeJS.Timeout | undefined;

  /** Starts waiting sends while there is room, replies first; else wakes up when the oldest start leaves the window. */
  const pump = (): void => {
    for (;;) {
      const queue = waiting.first.length > 0 ? waiting.first : waiting.bulk;
      if (queue.length === 0) return;
      const now = Date.now();
      if (started.length >= size && now - started[0]! < windowMs) {
        timer ??= setTimeout(() => { timer = undefined; pump(); }, started[0]! + windowMs - now);
        return;
      }
      if (started.length >= size) started.shift();
      started.push(now);
      queue.shift()!();
    }
  };

  return async (prev, method, payload, signal) => {
    let bulk = false;
    if (payload && typeof payload === "object" && BULK in payload) {
      const { [BULK]: mark, ...rest } = payload as Record<string, unknown>;
      bulk = mark === true;
      payload = rest as typeof payload;
    }
    await new Promise<void>((resolve) => {
      (bulk ? waiting.bulk : waiting.first).push(resolve);
      pump();
    });
    return prev(method, payload, signal);
  };
}
