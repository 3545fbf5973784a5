import { newId } from "../core/ids";
import { RapportError } from "../core/errors";
import { ServiceKey } from "../core/services";
import type { Database, Prisma } from "../db/Database";
import { withDbRetry, isUniqueViolation } from "../db/retry";
import { recordInteraction } from "../history/recordInteraction";
import { LEDGER_TX, type Ledger, type Posted } from "./Ledger";
import { UnsupportedCurrencyError } from "./errors";
import { refundKeys, isLegacyRepeat, type RefundKeys } from "./refundKey";
import { currencyRate, purchasePoints, type LoyaltyRules, type Tier } from "./rules";

/** A purchase as the shop reports it (API or CSV); `amountMinor` is in hundredths of the currency unit. */
export interface PurchaseInput {
  contactId: string;
  orderId: string;
  amountMinor: number;
  currency: string;
  occurredAt: Date;
}

/** The stored purchase and what it earned. */
export interface PurchaseResult {
  purchaseId: string;
  orderId: string;
  points: number;
  balance: number;
  tier: Tier;
  /** The order id was already recorded: nothing new was awarded. */
  duplicate: boolean;
  entryId?: string;
}

/** Hooks other domains attach to purchases (referrals qualify a friend on the first one). */
export interface PurchaseHooks {
  afterPurchase?(contactId: string, purchaseId: string): Promise<void>;
  afterRefund?(contactId: string, purchaseId: string, fullyRefunded: boolean): Promise<void>;
}

/** The same order id sent again with different facts: refused rather than guessed. */
export class OrderConflictError extends RapportError {
  readonly code = "rapport_order_conflict";
  constructor(readonly orderId: string, problem: string) {
    super(`order ${orderId}: ${problem}`);
  }
}

/** A refund for an order Rapport never saw, or for more than was paid. */
export class RefundError extends RapportError {
  readonly code = "rapport_refund_invalid";
  constructor(readonly field: string, problem: string) {
    super(`${field}: ${problem}`);
  }
}

/** A refund's history row, enough to answer a repeat. */
type StoredRefund = { contactId: string; data: string | null; dedupeKey: string | null };

/** Thrown inside the refund transaction to roll it back when the refund was stored before. */
class RepeatedRefund extends Error {
  constructor(readonly row: StoredRefund) {
    super("refund already stored");
  }
}

/** floor(points × part / whole) without leaving integers: the product can pass 2^53. */
function shareOf(points: number, part: number, whole: number): number {
  return Number((BigInt(points) * BigInt(part)) / BigInt(whole));
}

/** Service key for the purchase book. */
export const PURCHASES = new ServiceKey<PurchaseBook>("purchases");

/**
 * Records purchases and refunds and turns them into ledger entries: points once per order id
 * (the ledger key is `purchase:<orderId>`), whatever the retries; a refund reverses the points in
 * proportion to the amount refunded. Purchases are kept for RFM segmentation.
 */
export class PurchaseBook {
  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly rules: () => LoyaltyRules,
    private readonly hooks: PurchaseHooks = {},
  ) {}

  async record(input: PurchaseInput): Promise<PurchaseResult> {
    const currency = input.currency.toUpperCase();
    let duplicate = false;
    let purchase = await withDbRetry(() => this.db.prisma.purchase.findUnique({ where: { orderId: input.orderId } }));
    if (!purchase) {
      // Checked for new orders only: a retry of one recorded before its currency left the rules is still a repeat.
      const rules = this.rules();
      if (currencyRate(rules, currency) === undefined) throw new UnsupportedCurrencyError(currency, Object.keys(rules.currencies));
      const contact = await withDbRetry(() => this.db.prisma.contact.findUniqueOrThrow({ where: { id: input.contactId }, select: { tier: true } }));
      const points = purchasePoints(rules, input.amountMinor, contact.tier as Tier, currency);
      try {
        purchase = await withDbRetry(() => this.db.prisma.purchase.create({
          data: { id: newId(), contactId: input.contactId, orderId: input.orderId, amountMinor: input.amountMinor, currency, occurredAt: input.occurredAt, pointsAwarded: points },
        }));
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        purchase = await this.db.prisma.purchase.findUniqueOrThrow({ where: { orderId: input.orderId } }); // a concurrent retry won
        duplicate = true;
      }
    } else duplicate = true;
    if (duplicate && (purchase.contactId !== input.contactId || purchase.amountMinor !== input.amountMinor || purchase.currency !== currency)) {
      throw new OrderConflictError(input.orderId, "was already recorded for another customer, amount or currency; send a new order id");
    }
    // Posted even for a repeat: if an earlier attempt stored the purchase and died before the
    // award, this completes it; otherwise the ledger key makes it a no-op.
    const awarded = duplicate && (await this.db.prisma.ledgerEntry.findUnique({ where: { idempotencyKey: `purchase:${input.orderId}` }, select: { id: true } }));
    const posted = purchase.pointsAwarded > 0 && !awarded
      ? await this.ledger.earn(input.contactId, purchase.pointsAwarded, { reason: `order ${input.orderId}`, source: "purchase", key: `purchase:${input.orderId}`, details: { orderId: input.orderId } })
      : undefined;
    if (!duplicate) {
      await recordInteraction(this.db.prisma, input.contactId, {
        direction: "event", kind: "purchase", actor: "system", text: `order ${input.orderId}`,
        data: { orderId: input.orderId, amountMinor: input.amountMinor, currency: purchase.currency, points: purchase.pointsAwarded }, occurredAt: input.occurredAt,
      });
    }
    // On repeats too: a first attempt that stopped before the hook is completed by the retry; the
    // hook is idempotent (a referral qualifies once, on the purchase that came first).
    await this.hooks.afterPurchase?.(input.contactId, purchase.id);
    const balance = posted ?? (await this.balance(input.contactId));
    return { purchaseId: purchase.id, orderId: purchase.orderId, points: purchase.pointsAwarded, balance: balance.balance, tier: balance.tier, duplicate, entryId: posted?.entry.id ?? (awarded ? awarded.id : undefined) };
  }

  /**
   * Refunds part or all of an order: reverses `pointsAwarded × refunded / amount` points (at most
   * what is left of the balance). Idempotent per (order, refund id); without a refund id, per
   * (order, amount), so a retried request is not counted twice (keys: refundKey.ts). The refund row
   * is stored first with the points to take back, and the reversal is keyed by it, so a retry
   * completes a half-done refund.
   */
  async refund(orderId: string, amountMinor: number, refundId?: string): Promise<{ reversed: number; balance: number; refundedMinor: number; duplicate: boolean }> {
    const keys = refundKeys(orderId, amountMinor, refundId);
    let key = keys.current;
    let duplicate = false;
    let step: { contactId: string; purchaseId: string; points: number; refundedMinor: number; full: boolean };
    try {
      step = await withDbRetry(() => this.db.prisma.$transaction(async (tx) => {
        // Lock the order row first (a no-op update), so concurrent refunds of one order take turns
        // and each reads the total the previous one left.
        await tx.purchase.updateMany({ where: { orderId }, data: { refundedMinor: { increment: 0 } } });
        const p = await tx.purchase.findUnique({ where: { orderId } });
        if (!p) throw new RefundError("orderId", `no purchase with order id "${orderId}"`);
        // A repeat first: a retried full refund must not be refused as "more than the order".
        const earlier = await this.storedRefund(tx as never, keys, orderId, amountMinor, refundId);
        if (earlier) throw new RepeatedRefund(earlier);
        const total = p.refundedMinor + amountMinor;
        if (total > p.amountMinor) throw new RefundError("amount", `refunds would total ${total / 100}, more than the order's ${p.amountMinor / 100}`);
        await tx.purchase.update({ where: { id: p.id }, data: { refundedMinor: total } });
        const points = shareOf(p.pointsAwarded, total, p.amountMinor) - shareOf(p.pointsAwarded, p.refundedMinor, p.amountMinor);
        await recordInteraction(tx, p.contactId, { direction: "event", kind: "refund", actor: "system", text: `order ${orderId}`, dedupeKey: keys.current, data: { orderId, amountMinor, refundId, refundedMinor: total, points } });
        return { contactId: p.contactId, purchaseId: p.id, points, refundedMinor: total, full: total >= p.amountMinor };
      }, LEDGER_TX));
    } catch (error) {
      const earlier = error instanceof RepeatedRefund ? error.row
        : isUniqueViolation(error) ? await this.storedRefund(this.db.prisma, keys, orderId, amountMinor, refundId) : undefined;
      if (!earlier) throw error;
      const data = JSON.parse(earlier.data ?? "{}") as { points: number; refundedMinor: number };
      const p = await this.db.prisma.purchase.findUniqueOrThrow({ where: { orderId } });
      step = { contactId: earlier.contactId, purchaseId: p.id, points: data.points, refundedMinor: data.refundedMinor, full: data.refundedMinor >= p.amountMinor };
      key = earlier.dedupeKey!; // a refund stored before the key change completes under its own key
      duplicate = true;
    }
    const earned = await this.db.prisma.ledgerEntry.findUnique({ where: { idempotencyKey: `purchase:${orderId}` } });
    // Both keyed, so a repeat completes a refund whose first attempt stopped half way.
    const posted = step.points > 0 && earned ? await this.ledger.reverse(earned.id, { reason: `refund of order ${orderId}`, source: "refund", key, points: step.points }) : undefined;
    await this.hooks.afterRefund?.(step.contactId, step.purchaseId, step.full);
    const balance = posted?.balance ?? (await this.balance(step.contactId)).balance;
    return { reversed: posted ? -posted.entry.points : 0, balance, refundedMinor: step.refundedMinor, duplicate };
  }

  /** The history row of this refund if it was stored before, under the current key or (same order) the legacy one. */
  private async storedRefund(client: Prisma, keys: RefundKeys, orderId: string, amountMinor: number, refundId?: string): Promise<StoredRefund | undefined> {
    const select = { contactId: true, data: true, dedupeKey: true } as const;
    const current = await client.interaction.findUnique({ where: { dedupeKey: keys.current }, select });
    if (current) return current;
    const legacy = await client.interaction.findUnique({ where: { dedupeKey: keys.legacy }, select });
    return legacy && isLegacyRepeat(JSON.parse(legacy.data ?? "{}"), orderId, amountMinor, refundId) ? legacy : undefined;
  }

  private async balance(contactId: string): Promise<{ balance: number; tier: Tier }> {
    const c = await this.db.prisma.contact.findUniqueOrThrow({ where: { id: contactId }, select: { points: true, tier: true } });
    return { balance: c.points, tier: c.tier as Tier };
  }
}
