import type { Database } from "../db/Database";
import { outboxOutcomes } from "./outboxOutcomes";

/** What became of one campaign's message to one contact, as the contact page shows it. */
export interface ContactDelivery {
  campaign: string;
  /** The campaign's own state (running, paused, done, …). */
  campaignStatus: string;
  variant: string;
  /**
   * pending (waiting: due, or deferred by `reason`), skipped (`reason`), queued (in the outbox, not
   * sent yet), held (in the outbox while the campaign is paused), cancelled, sent, failed, blocked.
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
 * A contact's campaign deliveries, newest first (issue 18, contacts page). A delivery still `queued`
 * takes its outcome from its outbox row (outboxOutcomes) before the runner copies it back, so the page
 * shows at once what the outbox did.
 */
export async function contactDeliveries(db: Database, contactId: string, take = 50): Promise<ContactDelivery[]> {
  const rows = await db.prisma.campaignDelivery.findMany({
    where: { contactId }, orderBy: { dueAt: "desc" }, take,
    select: { key: true, variant: true, status: true, reason: true, dueAt: true, queuedAt: true, sentAt: true, bonusPoints: true, lastError: true, campaign: { select: { name: true, status: true } } },
  });
  const outcomes = await outboxOutcomes(db, rows.filter((r) => r.status === "queued").map((r) => r.key));
  return rows.map((r) => {
    const o = r.status === "queued" ? outcomes.get(r.key) : undefined;
    // In the outbox: held (the campaign is paused) and cancelled are shown as such; a failure of someone
    // who blocked the bot is "blocked", as the report counts it.
    const status = !o || o.status === "pending" ? r.status : o.status === "failed" && o.unreachable ? "blocked" : o.status;
    return {
      campaign: r.campaign.name, campaignStatus: r.campaign.status, variant: r.variant, status, reason: r.reason,
      dueAt: r.dueAt, queuedAt: r.queuedAt, sentAt: r.sentAt ?? o?.sentAt ?? null, bonusPoints: r.bonusPoints, lastError: r.lastError ?? o?.lastError ?? null,
    };
  });
}
