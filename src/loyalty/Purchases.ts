import { newId } from "../core/ids";
import { ContactNotFoundError, RapportError } from "../core/errors";
import { ServiceKey } from "../core/services";
import type { Database, Prisma } from "../db/Database";
import { withDbRetry, isUniqueViolation } from "../db/retry";
import { recordInteraction } from "../history/recordInteraction";
import { lockContact, type Tx } from "../db/lockContact";
import { insertJob } from "../jobs/JobScheduler";
import { formatMinor } from "./money";
import { announcesPurchase, DEFAULT_EVENTS_MAX_AGE_MS, PURCHASE_RECORDED, PURCHASE_REFUNDED, purchaseEventJob, purchaseRecordedData } from "./purchaseEvents";
import { LEDGER_TX, type Ledger, type Posted } from "./Ledger";
import { UnsupportedCurrencyError } from "./errors";
import { recordPurchases, type BatchOutcome } from "./recordPurchases";
import { refundKeys, isLegacyRepeat, type RefundKeys } from "./refundKey";
import { currencyRate, purchasePoints, type LoyaltyRules, type Tier } from "./rules";

/** A purchase as the shop reports it (API or CSV); `amountMinor` is in hundredths of the currency unit. */
export interface PurchaseInput {
  contactId: string;
  orderId: string;
  amountMinor: number;
  currency: string;
  occurredAt: Date;
  /** The order's lines, in the order the shop sent them; absent or empty when it sent none. */
  items?: PurchaseItemInput[];
}

/** One line of an order; `unitPriceMinor` in hundredths of the order's currency (0 for a free item). */
export interface PurchaseItemInput {
  sku: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
}

/** Options of the purchase book; the defaults are production's. */
export interface PurchaseBookOptions {
  /** Orders older than this when recorded raise no `purchase.recorded` (PURCHASE_EVENTS_MAX_AGE_HOURS). */
  eventsMaxAgeMs?: number;
}

type StoredPurchase = { id: string; contactId: string; orderId: string; amountMinor: number; currency: string; pointsAwarded: number };

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
  /**
   * Of these contacts, those for whom `afterPurchase` may do anything (a batch asks once instead of
   * calling it per order; without it, the batch calls it for every order, as `record` does).
   */
  watching?(contactIds: string[]): Promise<Set<string>>;
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
 * proportion to the amount refunded. Each new purchase and each refund raises an event for flows
 * (`purchase.recorded`, `purchase.refunded`; purchaseEvents.ts) as stored work in its own
 * transaction. Purchases and their items are kept for RFM segmentation and product ratings.
 */
export class PurchaseBook {
  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly rules: () => LoyaltyRules,
    private readonly hooks: PurchaseHooks = {},
    private readonly options: PurchaseBookOptions = {},
  ) {}

  /**
   * Records a purchase once per order id. A new order is stored with its items, its points (ledger),
   * its history row and, unless it is older than `eventsMaxAgeMs`, the `purchase.recorded` event as
   * stored work, all in one transaction: a crash keeps all or none of it, and the running bot tells
   * the customer even when the order came from the CSV import.
   */
  async record(input: PurchaseInput): Promise<PurchaseResult> {
    const currency = input.currency.toUpperCase();
    let duplicate = false;
    let posted: Posted | undefined;
    let purchase: StoredPurchase | null = await withDbRetry(() => this.db.prisma.purchase.findUnique({ where: { orderId: input.orderId } }));
    if (!purchase) {
      // Checked for new orders only: a retry of one recorded before its currency left the rules is still a repeat.
      const rules = this.rules();
      if (currencyRate(rules, currency) === undefined) throw new UnsupportedCurrencyError(currency, Object.keys(rules.currencies));
      try {
        const stored = await withDbRetry(() => this.db.prisma.$transaction((tx) => this.store(tx as Tx, { ...input, currency }, rules), LEDGER_TX));
        purchase = stored.purchase;
        posted = stored.posted;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        purchase = await this.db.prisma.purchase.findUniqueOrThrow({ where: { orderId: input.orderId } }); // a concurrent retry won
        duplicate = true;
      }
    } else duplicate = true;
    if (duplicate && (purchase.contactId !== input.contactId || purchase.amountMinor !== input.amountMinor || purchase.currency !== currency)) {
      throw new OrderConflictError(input.orderId, "was already recorded for another customer, amount or currency; send a new order id");
    }
    let awardedId: string | undefined;
    if (duplicate) {
      // Orders stored before the award joined the purchase's transaction may lack it: a repeat
      // completes it; otherwise the ledger key makes this a no-op.
      const awarded = await this.db.prisma.ledgerEntry.findUnique({ where: { idempotencyKey: `purchase:${input.orderId}` }, select: { id: true } });
      awardedId = awarded?.id;
      if (purchase.pointsAwarded > 0 && !awarded) posted = await this.ledger.earn(input.contactId, purchase.pointsAwarded, { reason: `order ${input.orderId}`, source: "purchase", key: `purchase:${input.orderId}`, details: { orderId: input.orderId } });
    } else this.ledger.announce(input.contactId, posted);
    // On repeats too: a first attempt that stopped before the hook is completed by the retry; the
    // hook is idempotent (a referral qualifies once, on the purchase that came first).
    await this.hooks.afterPurchase?.(input.contactId, purchase.id);
    const balance = posted ?? (await this.balance(input.contactId));
    return { purchaseId: purchase.id, orderId: purchase.orderId, points: purchase.pointsAwarded, balance: balance.balance, tier: balance.tier, duplicate, entryId: posted?.entry.id ?? awardedId };
  }

  /**
   * Records many purchases, in order, with the same outcome and rows as `record` for each of them
   * one after the other, in a few set-based statements (recordPurchases.ts; the CSV import). A
   * row's fault (conflict, currency, contact) is its outcome; a database failure throws.
   */
  recordMany(inputs: PurchaseInput[]): Promise<BatchOutcome[]> {
    return recordPurchases({
      db: this.db, rules: this.rules(), hooks: this.hooks,
      eventsMaxAgeMs: this.options.eventsMaxAgeMs ?? DEFAULT_EVENTS_MAX_AGE_MS, recordOne: (input) => this.record(input),
    }, inputs);
  }

  /** The new order's transaction (see record): items, points, history and the event, under the contact's lock. */
  private async store(tx: Tx, input: PurchaseInput, rules: LoyaltyRules): Promise<{ purchase: StoredPurchase; posted?: Posted }> {
    // The lock makes "first purchase" exact when two orders of one customer arrive together.
    if (!(await lockContact(tx, this.db.dialect, input.contactId))) throw new ContactNotFoundError(input.contactId);
    const contact = await tx.contact.findUniqueOrThrow({ where: { id: input.contactId }, select: { tier: true, points: true, lifetimePoints: true } });
    const points = purchasePoints(rules, input.amountMinor, contact.tier as Tier, input.currency);
    const earlier = await tx.purchase.count({ where: { contactId: input.contactId } });
    const purchase = await tx.purchase.create({
      data: { id: newId(), contactId: input.contactId, orderId: input.orderId, amountMinor: input.amountMinor, currency: input.currency, occurredAt: input.occurredAt, pointsAwarded: points },
    });
    const items = input.items ?? [];
    if (items.length > 0) await tx.purchaseItem.createMany({ data: items.map((item, position) => ({ purchaseId: purchase.id, position, ...item })) });
    const posted = points > 0
      ? await this.ledger.postIn(tx as never, { contactId: input.contactId, kind: "earn", points, reason: `order ${input.orderId}`, source: "purchase", key: `purchase:${input.orderId}`, details: { orderId: input.orderId } })
      : undefined;
    const announced = announcesPurchase(input.occurredAt, new Date(), this.options.eventsMaxAgeMs ?? DEFAULT_EVENTS_MAX_AGE_MS);
    await recordInteraction(tx, input.contactId, {
      direction: "event", kind: "purchase", actor: "system", text: `order ${input.orderId}`, occurredAt: input.occurredAt,
      data: { orderId: input.orderId, amountMinor: input.amountMinor, currency: input.currency, points, ...(items.length ? { items: items.length } : {}), announced },
    });
    if (announced) {
      const data = purchaseRecordedData({
        ...input, points, balance: posted?.balance ?? contact.points, tier: posted?.tier ?? (contact.tier as Tier),
        lifetimePoints: contact.lifetimePoints + (posted?.entry.points ?? 0), firstPurchase: earlier === 0, items,
      }, rules);
      await insertJob(tx, purchaseEventJob(input.contactId, PURCHASE_RECORDED, `purchase:${input.orderId}:recorded`, data));
    }
    return { purchase, posted };
  }

  /**
   * Refunds part or all of an order: reverses `pointsAwarded × refunded / amount` points (at most
   * what is left of the balance). Idempotent per (order, refund id); without a refund id, per
   * (order, amount), so a retried request is not counted twice (keys: refundKey.ts). The refund row
   * is stored with the reversal and the `purchase.refunded` event in one transaction; the reversal is
   * keyed by the refund, so a retry of a refund stored before that (half done) completes it.
   */
  async refund(orderId: string, amountMinor: number, refundId?: string): Promise<{ reversed: number; balance: number; refundedMinor: number; duplicate: boolean }> {
    const keys = refundKeys(orderId, amountMinor, refundId);
    let key = keys.current;
    let duplicate = false;
    let posted: Posted | undefined;
    let step: { contactId: string; purchaseId: string; points: number; refundedMinor: number; full: boolean };
    try {
      ({ step, posted } = await withDbRetry(() => this.db.prisma.$transaction(async (tx) => {
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
        // The reversal and the event commit with the refund (keyed by it, so a repeat changes nothing).
        const earned = points > 0 ? await tx.ledgerEntry.findUnique({ where: { idempotencyKey: `purchase:${orderId}` }, select: { id: true } }) : null;
        const reversal = earned
          ? await this.ledger.postIn(tx as never, { contactId: p.contactId, kind: "reverse", points: -points, reason: `refund of order ${orderId}`, source: "refund", key: keys.current, reversesId: earned.id })
          : undefined;
        const balance = reversal?.balance ?? (await tx.contact.findUniqueOrThrow({ where: { id: p.contactId }, select: { points: true } })).points;
        await insertJob(tx, purchaseEventJob(p.contactId, PURCHASE_REFUNDED, `${keys.current}:event`, {
          orderId, amount: formatMinor(amountMinor), currency: p.currency, refundedTotal: formatMinor(total), full: total >= p.amountMinor,
          pointsReversed: reversal ? -reversal.entry.points : 0, balance, refundId: refundId ?? null,
        }));
        return { step: { contactId: p.contactId, purchaseId: p.id, points, refundedMinor: total, full: total >= p.amountMinor }, posted: reversal };
      }, LEDGER_TX)));
      this.ledger.announce(step.contactId, posted);
    } catch (error) {
      const earlier = error instanceof RepeatedRefund ? error.row
        : isUniqueViolation(error) ? await this.storedRefund(this.db.prisma, keys, orderId, amountMinor, refundId) : undefined;
      if (!earlier) throw error;
      const data = JSON.parse(earlier.data ?? "{}") as { points: number; refundedMinor: number };
      const p = await this.db.prisma.purchase.findUniqueOrThrow({ where: { orderId } });
      step = { contactId: earlier.contactId, purchaseId: p.id, points: data.points, refundedMinor: data.refundedMinor, full: data.refundedMinor >= p.amountMinor };
      key = earlier.dedupeKey!; // a refund stored before the key change completes under its own key
      duplicate = true;
      // Refunds stored before the reversal joined their transaction may lack it: keyed, so this
      // completes a half-done one and is a no-op otherwise.
      const earned = await this.db.prisma.ledgerEntry.findUnique({ where: { idempotencyKey: `purchase:${orderId}` } });
      posted = step.points > 0 && earned ? await this.ledger.reverse(earned.id, { reason: `refund of order ${orderId}`, source: "refund", key, points: step.points }) : undefined;
    }
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
