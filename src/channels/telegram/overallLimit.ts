import type { Transformer } from "grammy";

/**
 * The bot's overall send limit (Telegram: about 30 messages per second), over a sliding window: a
 * send starts only when fewer than `perSecond` started in the last second, else it waits, in
 * order, until the oldest of them is a second old. So no second, however it is cut, carries more
 * than `perSecond`, and a message that must wait waits for one slot (about 1/30 s), not for a
 * window to end. (Bottleneck's reservoir, refilled every 1,000 ms, sent up to 45 in a second at the
 * edge of its windows and held a reply behind a queue of campaign messages for up to a second:
 * bench:campaign, issue 15.) A fractional limit keeps its average: 7.5/s is 8 in any 1,067 ms.
 */
export function overallLimit(perSecond: number): Transformer {
  const size = Math.max(1, Math.ceil(perSecond));
  const windowMs = (1000 * size) / Math.max(0.001, perSecond);
  /** Start times of the last `size` sends, oldest first. */
  const started: number[] = [];
  /** The last send's turn: each send waits for the one before it to start (first come, first sent). */
  let last: Promise<void> = Promise.resolve();
  const turn = async (): Promise<void> => {
    for (;;) {
      const now = Date.now();
      if (started.length < size || now - started[0]! >= windowMs) {
        if (started.length >= size) started.shift();
        started.push(now);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, started[0]! + windowMs - now));
    }
  };
  return async (prev, method, payload, signal) => {
    const mine = last.then(turn);
    last = mine;
    await mine;
    return prev(method, payload, signal);
  };
}
