import type { Database } from "../db/Database";

/** What became of one campaign's message to one contact, as the contact page shows it. */
export interface ContactDelivery {
  campaign: string;
  /** The campaign's own state (running, paused, done, …). */
  campaignStatus: string;
  variant: string;
  /**
   * pending (waiting: due, or deferred by `reason`), skipped (`reason`), queued (handed to the
   * outbound path, no answer yet), sent, failed, blocked.
   */
  status: string;
  reason: string | null;
  /** When it may go out (pending), was handed over (queued), or reached the channel (sent). */
  dueAt: Date;
  queuedAt: Date | null;
  sentAt: Date | null;
  bonusPoints: number;
  lastError: string | null;
}

/**
 * A contact's campaign deliveries, newest first (issue 18, contacts page). A delivery handed to the
 * outbound path and still `queued` takes its outcome from the outbox row keyed like it, so the page is
 * right whether the campaign runner records the answer on the delivery or leaves it to the outbox.
 */
export async function contactDeliveries(db: Database, contactId: string, take = 50): Promise<ContactDelivery[]> {
  const rows = await db.prisma.campaignDelivery.findMany({
    where: { contactId }, orderBy: { dueAt: "desc" }, take,
    select: { key: true, variant: true, status: true, reason: true, dueAt: true, queuedAt: true, sentAt: true, bonusPoints: true, lastError: true, campaign: { select: { name: true, status: true } } },
  });
  const queued = rows.filter((r) => r.status === "queued").map((r) => r.key);
  const outbox = queued.length === 0 ? [] : await db.prisma.outboxMessage.findMany({ where: { idempotencyKey: { in: queued } }, select: { idempotencyKey: true, status: true, sentAt: true, lastError: true } });
  const byKey = new Map(outbox.map((o) => [o.idempotencyKey, o]));
  return rows.map((r) => {
    const o = r.status === "queued" ? byKey.get(r.key) : undefined;
    const status = o && (o.status === "sent" || o.status === "failed") ? o.status : r.status;
    return {
      campaign: r.campaign.name, campaignStatus: r.campaign.status, variant: r.variant, status, reason: r.reason,
      dueAt: r.dueAt, queuedAt: r.queuedAt, sentAt: r.sentAt ?? o?.sentAt ?? null, bonusPoints: r.bonusPoints, lastError: r.lastError ?? o?.lastError ?? null,
    };
  });
}
