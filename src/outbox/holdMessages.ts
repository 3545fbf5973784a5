import { recordInteraction, type HistoryWriter } from "../history/recordInteraction";
import type { OutboxWriter } from "./enqueueMessage";

/** What the functions below write with: the caller's transaction (they change rows and the history together). */
export type OutboxHolder = OutboxWriter & HistoryWriter;

/**
 * Holds back every message of `source` (e.g. `campaign:<id>`) not sent yet: status `held`, which the
 * dispatcher neither takes nor sends (a message it already took checks again before sending it; see
 * OutboxDispatcher). A paused campaign's messages wait here, already written, until `releaseMessages`.
 * Returns how many were held.
 */
export async function holdMessages(tx: OutboxWriter, source: string): Promise<number> {
  const { count } = await tx.outboxMessage.updateMany({ where: { source, status: "pending" }, data: { status: "held" } });
  return count;
}

/** Lets held messages of `source` go again, due now (a resumed campaign). Returns how many. */
export async function releaseMessages(tx: OutboxWriter, source: string, now = new Date()): Promise<number> {
  const { count } = await tx.outboxMessage.updateMany({ where: { source, status: "held" }, data: { status: "pending", nextAttemptAt: now, leaseUntil: null, leaseOwner: null } });
  return count;
}

/**
 * Stops for good the messages of `source` not sent yet (pending or held): status `cancelled` with the
 * reason, and a `send.cancelled` row in each contact's history next to the message it cancels. Returns
 * the cancelled rows' idempotency keys (a campaign finds its deliveries by them).
 */
export async function cancelMessages(tx: OutboxHolder, source: string, reason: string, now = new Date()): Promise<string[]> {
  const rows = await tx.outboxMessage.findMany({ where: { source, status: { in: ["pending", "held"] } }, select: { id: true, contactId: true, channel: true, interactionId: true, idempotencyKey: true } });
  if (rows.length === 0) return [];
  await tx.outboxMessage.updateMany({ where: { id: { in: rows.map((r) => r.id) }, status: { in: ["pending", "held"] } }, data: { status: "cancelled", lastError: reason, leaseUntil: null, leaseOwner: null } });
  for (const r of rows) {
    await recordInteraction(tx, r.contactId, { direction: "event", kind: "send.cancelled", actor: "system", channel: r.channel, text: reason, data: { outboxId: r.id, interactionId: r.interactionId }, occurredAt: now });
  }
  return rows.flatMap((r) => (r.idempotencyKey ? [r.idempotencyKey] : []));
}
