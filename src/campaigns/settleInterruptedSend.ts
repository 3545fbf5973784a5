import type { Database } from "../db/Database";
import { recordInteraction } from "../history/recordInteraction";
import type { OutboxOutcome } from "./outboxOutcomes";

/** What the delivery, the outbox row and the history say about a campaign send a crash cut short. */
export const INTERRUPTED_SEND = "interrupted: the process stopped while the channel was being asked; it may have arrived, so it is not sent again";

/**
 * Settles a campaign message whose send began ('sending') in a process that died before the channel
 * answered (its lease ran out): failed with INTERRUPTED_SEND, with `send.failed` in the contact's
 * history, and never sent again.
 *
 * Why (issue 15): a kill -9 mid-campaign must resume with nobody messaged twice. A conversation reply
 * cut short this way is sent again (a customer waiting for an answer should get it, at worst twice);
 * a marketing message is not: one that may not have arrived is better than the same offer twice.
 */
export async function settleInterruptedSend(db: Database, deliveryId: string, contactId: string, outcome: OutboxOutcome): Promise<void> {
  const now = new Date();
  await db.prisma.$transaction(async (tx) => {
    // Only while still 'sending' and unheld: a process that is alive renews its lease and marks it itself.
    const moved = await tx.outboxMessage.updateMany({ where: { id: outcome.id, status: "sending", OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] }, data: { status: "failed", lastError: INTERRUPTED_SEND } });
    if (moved.count === 0) return;
    await tx.campaignDelivery.updateMany({ where: { id: deliveryId, status: "queued" }, data: { status: "failed", lastError: INTERRUPTED_SEND } });
    await recordInteraction(tx, contactId, {
      direction: "event", kind: "send.failed", actor: "system", channel: outcome.channel, text: INTERRUPTED_SEND,
      data: { outboxId: outcome.id, interrupted: true },
    });
  });
}
