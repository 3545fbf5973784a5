import type { ScheduledWork } from "../core/scheduling";
import { formatMinor } from "./money";
import { nextTier, type LoyaltyRules, type Tier } from "./rules";

/** The event a recorded purchase raises for flows (`triggers: [{ event: purchase.recorded }]`). */
export const PURCHASE_RECORDED = "purchase.recorded";
/** The event a recorded refund raises. */
export const PURCHASE_REFUNDED = "purchase.refunded";

/** How old a purchase may be and still raise `purchase.recorded` when it is recorded: 2 days. */
export const DEFAULT_EVENTS_MAX_AGE_MS = 2 * 86_400_000;

/** An order line as flows see it in `vars.event.items`: the price in currency units, as the shop sent it. */
export interface EventItem {
  sku: string;
  name: string;
  quantity: number;
  /** "9.99": a decimal string, like the API's `unitPrice`. */
  unitPrice: string;
}

/**
 * `vars.event` of the flow that `purchase.recorded` starts. Figures are as of the purchase (its
 * transaction), so a flow that runs a little later still thanks for what this order earned.
 */
export interface PurchaseRecordedData {
  orderId: string;
  /** "19.99": the order's amount in currency units. */
  amount: string;
  currency: string;
  /** Points this order earned. */
  points: number;
  /** The balance right after the order. */
  balance: number;
  tier: Tier;
  /** The next tier's id (a key of `loyalty:tiers`), null at the top tier. */
  nextTier: Tier | null;
  /** Lifetime points the next tier still needs, null at the top tier. */
  pointsToNextTier: number | null;
  /** No purchase of this customer was recorded before this one. */
  firstPurchase: boolean;
  occurredAt: string;
  /** Present only when the shop sent the order's items. */
  items?: EventItem[];
}

/** `vars.event` of the flow that `purchase.refunded` starts. */
export interface PurchaseRefundedData {
  orderId: string;
  /** This refund, in currency units. */
  amount: string;
  currency: string;
  /** Everything refunded on the order so far, in currency units. */
  refundedTotal: string;
  /** The whole order is refunded now. */
  full: boolean;
  /** Points taken back by this refund. */
  pointsReversed: number;
  balance: number;
  refundId: string | null;
}

/**
 * Whether a purchase recorded now tells the customer: an order imported or sent long after it was
 * made (a backfill of last year's orders) must not thank anybody for it (issue 19).
 */
export function announcesPurchase(occurredAt: Date, now: Date, maxAgeMs: number): boolean {
  return now.getTime() - occurredAt.getTime() <= maxAgeMs;
}

/** The event data of a purchase, from what its transaction wrote. */
export function purchaseRecordedData(p: {
  orderId: string; amountMinor: number; currency: string; occurredAt: Date; points: number; balance: number; tier: Tier; lifetimePoints: number;
  firstPurchase: boolean; items: { sku: string; name: string; quantity: number; unitPriceMinor: number }[];
}, rules: LoyaltyRules): PurchaseRecordedData {
  const next = nextTier(rules, p.lifetimePoints);
  return {
    orderId: p.orderId, amount: formatMinor(p.amountMinor), currency: p.currency, points: p.points, balance: p.balance, tier: p.tier,
    nextTier: next?.tier ?? null, pointsToNextTier: next?.needed ?? null, firstPurchase: p.firstPurchase, occurredAt: p.occurredAt.toISOString(),
    ...(p.items.length > 0 ? { items: p.items.map((i) => ({ sku: i.sku, name: i.name, quantity: i.quantity, unitPrice: formatMinor(i.unitPriceMinor) })) } : {}),
  };
}

/**
 * The stored work that raises an event for the customer: inserted in the transaction that records
 * the purchase or refund, so a crash loses neither, and the running bot delivers it even when the
 * purchase came through `rapport purchases import` (a process without channels).
 */
export function purchaseEventJob(contactId: string, name: string, key: string, data: PurchaseRecordedData | PurchaseRefundedData): ScheduledWork {
  return { kind: "event", contactId, name, data: data as unknown as Record<string, unknown>, dueAt: new Date(), key };
}
