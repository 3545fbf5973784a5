import type { App } from "../app/createApp";

/** How often the chat looks again while an answer waits (the dispatcher's own poll also sends it). */
const LOOK_AGAIN_MS = 100;

/**
 * Waits until nothing is left to send to `chatId` on `channel`, at most `maxMs`, so `rapport chat`
 * prints every answer before it leaves at end of input.
 *
 * Why: an answer can queue behind an earlier message to the same customer that a process killed
 * mid-send still holds under its outbox lease (`rapport chat | head` cut the first chat short). The
 * turn then returns before its answer is sent; without this wait a scripted chat ended at end of
 * input, and the answer was printed only by the next chat. The lease runs out within the outbox's
 * lease time, after which the dispatcher sends the held message and the answer, in order.
 */
export async function awaitPendingAnswers(app: App, channel: string, chatId: string, maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  for (;;) {
    const left = await app.db.prisma.outboxMessage.count({ where: { channel, chatId, status: "pending" } });
    if (left === 0 || Date.now() >= until) return;
    await app.engine.outbox.drain();
    await new Promise((resolve) => setTimeout(resolve, LOOK_AGAIN_MS));
  }
}
