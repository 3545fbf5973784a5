import type { Database } from "../db/Database";
import { reviveCampaign } from "./CampaignRunner";
import type { DeferReason, SkipReason } from "./eligibility";
import { outboxOutcomes } from "./outboxOutcomes";

/** Counts for one campaign or one of its variants (issue 15, "Report"). */
export interface CampaignCounts {
  /** Contacts the campaign selected. */
  audience: number;
  /** Sent: the channel accepted the message, as the outbox recorded it (for a flow/event variant: the flow started). */
  sent: number;
  /** Accepted by the channel: equal to `sent` (Telegram answers each send, but has no delivery receipts). */
  delivered: number;
  /** The outbox gave up on the message (refused by the channel, or retried for OUTBOX_RETRY_MINUTES); see `failures`. */
  failed: number;
  /** `failed` by reason: the outbox's last error (its first 120 characters) → how many. */
  failures: Record<string, number>;
  /** The channel refused: the customer blocked the bot (403); they are marked unreachable. */
  blocked: number;
  /** Still to go out: due, waiting (deferred) for the cap or quiet hours, or already in the outbox (`queued`). */
  pending: number;
  /** Of `pending`: claimed and in the outbox, waiting for the dispatcher, a retry, or a resume (a paused campaign's). */
  queued: number;
  deferred: Record<DeferReason, number>;
  skipped: Record<SkipReason | "cancelled", number>;
  /** Wrote to the bot after their message, within the conversion window. */
  replied: number;
  /** Said /stop after their message (within the window). */
  optedOut: number;
  /** Bought within the conversion window after their message: customers, net revenue (minor units), points earned. */
  converted: { customers: number; revenueMinor: number; points: number };
  /** Bonus points the campaign paid. */
  bonusPoints: number;
}

/** The report of `rapport campaigns status`: the campaign, its state, its counts, and per variant. */
export interface CampaignReport extends CampaignCounts {
  campaign: string;
  status: string;
  ongoing: boolean;
  startAt: string;
  finishedAt: string | null;
  conversionWindowDays: number;
  variants: Record<string, CampaignCounts>;
}

const CHUNK = 500;

/**
 * Builds a campaign's report from its deliveries and, for messages still in flight, the outbox's own
 * rows (issue 15, "Report"): sent, failed with the reason, blocked and pending are what the outbox
 * made of each message, not what was handed to it. Then the history (replies, opt-outs after
 * delivery) and purchases (conversions: a purchase within the campaign's window after its message
 * reached the customer, counted once per customer; revenue net of refunds; points as awarded for
 * those purchases).
 */
export async function campaignReport(db: Database, name: string, now = new Date()): Promise<CampaignReport | undefined> {
  const row = await db.prisma.campaign.findUnique({ where: { name } });
  if (!row) return undefined;
  const campaign = reviveCampaign(row.definition);
  const windowMs = campaign.conversionWindowMs;
  const deliveries = await db.prisma.campaignDelivery.findMany({ where: { campaignId: row.id }, select: { contactId: true, variant: true, key: true, status: true, reason: true, sentAt: true, lastError: true, bonusPoints: true } });
  const inFlight = await outboxOutcomes(db, deliveries.filter((d) => d.status === "queued").map((d) => d.key));
  const total = emptyCounts();
  const variants: Record<string, CampaignCounts> = Object.fromEntries(campaign.variants.map((v) => [v.name, emptyCounts()]));
  const sentAt = new Map<string, Date>();
  for (const d of deliveries) {
    // A claimed message's outcome, read from the outbox until the runner has copied it into the delivery.
    const o = d.status === "queued" ? inFlight.get(d.key) : undefined;
    const status = !o ? d.status : o.status === "sent" ? "sent" : o.status === "failed" ? (o.unreachable ? "blocked" : "failed") : o.status === "cancelled" ? "skipped" : "queued";
    const reason = o?.status === "cancelled" ? "cancelled" : d.reason;
    const lastError = o ? o.lastError : d.lastError;
    for (const c of [total, variants[d.variant] ??= emptyCounts()]) {
      c.audience++;
      c.bonusPoints += d.bonusPoints;
      if (status === "sent") { c.sent++; c.delivered++; }
      else if (status === "failed") {
        c.failed++;
        const why = (lastError ?? "unknown").slice(0, 120);
        c.failures[why] = (c.failures[why] ?? 0) + 1;
      } else if (status === "blocked") c.blocked++;
      else if (status === "skipped") c.skipped[(reason ?? "unreachable") as keyof CampaignCounts["skipped"]]++;
      else if (status === "queued") { c.pending++; c.queued++; }
      else if (status === "pending") {
        c.pending++;
        if (d.reason === "capped" || d.reason === "quiet_hours") c.deferred[d.reason]++;
      }
    }
    const at = o ? o.sentAt : d.sentAt;
    if (status === "sent" && at) sentAt.set(d.contactId, at);
  }
  const variantOf = new Map(deliveries.map((d) => [d.contactId, d.variant]));
  const ids = [...sentAt.keys()];
  const earliest = new Date(Math.min(...[...sentAt.values()].map((d) => d.getTime()), now.getTime()));
  const within = (contactId: string, at: Date) => { const s = sentAt.get(contactId)!; return at >= s && at.getTime() <= s.getTime() + windowMs; };
  const replied = new Set<string>();
  const optedOut = new Set<string>();
  const converted = new Set<string>();
  const add = (contactId: string, f: (c: CampaignCounts) => void) => { f(total); f(variants[variantOf.get(contactId)!]!); };
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const rows = await db.prisma.interaction.findMany({
      where: { contactId: { in: chunk }, occurredAt: { gte: earliest }, OR: [{ direction: "in" }, { kind: "consent.denied" }] },
      select: { contactId: true, occurredAt: true, direction: true, kind: true },
    });
    for (const r of rows) {
      if (!within(r.contactId, r.occurredAt)) continue;
      if (r.direction === "in") replied.add(r.contactId);
      if (r.kind === "consent.denied") optedOut.add(r.contactId);
    }
    const purchases = await db.prisma.purchase.findMany({ where: { contactId: { in: chunk }, occurredAt: { gte: earliest } }, select: { contactId: true, occurredAt: true, amountMinor: true, refundedMinor: true, pointsAwarded: true } });
    for (const p of purchases) {
      if (!within(p.contactId, p.occurredAt)) continue;
      add(p.contactId, (c) => { c.converted.revenueMinor += p.amountMinor - p.refundedMinor; c.converted.points += p.pointsAwarded; });
      if (!converted.has(p.contactId)) { converted.add(p.contactId); add(p.contactId, (c) => c.converted.customers++); }
    }
  }
  for (const id of replied) add(id, (c) => c.replied++);
  for (const id of optedOut) add(id, (c) => c.optedOut++);
  return {
    campaign: name, status: row.status, ongoing: row.ongoing, startAt: row.startAt.toISOString(), finishedAt: row.finishedAt?.toISOString() ?? null,
    conversionWindowDays: windowMs / 86_400_000, ...total, variants,
  };
}

function emptyCounts(): CampaignCounts {
  return {
    audience: 0, sent: 0, delivered: 0, failed: 0, failures: {}, blocked: 0, pending: 0, queued: 0,
    deferred: { capped: 0, quiet_hours: 0 }, skipped: { opted_out: 0, no_consent: 0, unreachable: 0, cancelled: 0 },
    replied: 0, optedOut: 0, converted: { customers: 0, revenueMinor: 0, points: 0 }, bonusPoints: 0,
  };
}
