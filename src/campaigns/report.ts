import type { Database } from "../db/Database";
import { reviveCampaign } from "./CampaignRunner";
import type { DeferReason, SkipReason } from "./eligibility";

/** Counts for one campaign or one of its variants (issue 15, "Report"). */
export interface CampaignCounts {
  /** Contacts the campaign selected. */
  audience: number;
  /** Handed to the channel (or to a flow/event). */
  sent: number;
  /** Accepted by the channel (Telegram answers each send; no read receipts). */
  delivered: number;
  failed: number;
  /** The channel refused: the customer blocked the bot (403); they are marked unreachable. */
  blocked: number;
  /** Still to go out: due, or waiting (deferred) for the cap or quiet hours. */
  pending: number;
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
 * Builds a campaign's report from its deliveries, the history (replies, opt-outs after delivery) and
 * purchases (conversions: a purchase within the campaign's window after its message reached the
 * customer, counted once per customer; revenue net of refunds; points as awarded for those purchases).
 */
export async function campaignReport(db: Database, name: string, now = new Date()): Promise<CampaignReport | undefined> {
  const row = await db.prisma.campaign.findUnique({ where: { name } });
  if (!row) return undefined;
  const campaign = reviveCampaign(row.definition);
  const windowMs = campaign.conversionWindowMs;
  const deliveries = await db.prisma.campaignDelivery.findMany({ where: { campaignId: row.id }, select: { contactId: true, variant: true, status: true, reason: true, sentAt: true, queuedAt: true, bonusPoints: true } });
  const total = emptyCounts();
  const variants: Record<string, CampaignCounts> = Object.fromEntries(campaign.variants.map((v) => [v.name, emptyCounts()]));
  const sentAt = new Map<string, Date>();
  for (const d of deliveries) {
    for (const c of [total, variants[d.variant] ??= emptyCounts()]) {
      c.audience++;
      c.bonusPoints += d.bonusPoints;
      if (d.queuedAt) c.sent++;
      if (d.status === "sent") c.delivered++;
      else if (d.status === "failed") c.failed++;
      else if (d.status === "blocked") c.blocked++;
      else if (d.status === "skipped") c.skipped[(d.reason ?? "unreachable") as keyof CampaignCounts["skipped"]]++;
      else if (d.status === "pending") {
        c.pending++;
        if (d.reason === "capped" || d.reason === "quiet_hours") c.deferred[d.reason]++;
      }
    }
    if (d.status === "sent" && d.sentAt) sentAt.set(d.contactId, d.sentAt);
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
    audience: 0, sent: 0, delivered: 0, failed: 0, blocked: 0, pending: 0,
    deferred: { capped: 0, quiet_hours: 0 }, skipped: { opted_out: 0, no_consent: 0, unreachable: 0, cancelled: 0 },
    replied: 0, optedOut: 0, converted: { customers: 0, revenueMinor: 0, points: 0 }, bonusPoints: 0,
  };
}
