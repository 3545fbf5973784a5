import { newId } from "../core/ids";
import { RapportError } from "../core/errors";
import { ServiceKey } from "../core/services";
import type { Database } from "../db/Database";
import { lockContact, type Tx } from "../db/lockContact";
import { isUniqueViolation, withDbRetry } from "../db/retry";
import { recordInteraction } from "../history/recordInteraction";
import { ACTIVE_STATUSES } from "../support/Ticket";
import { REVIEW_SCALE } from "./reviewScale";

/** Why a review request was not sent: each is recorded in the contact history as `review.skipped`. */
export type ReviewSkipReason = "opted_out" | "in_ticket" | "asked_before" | "refunded" | "unknown_order";

/** The answer to "may we ask about this order now?": the request when yes, the reason when no. */
export type ReviewRequest =
  | { ask: true; reviewId: string; orderId: string; sku: string | null; item: string | null }
  | { ask: false; reason: ReviewSkipReason; orderId: string };

/** A score outside 1-5 (a flow passing the wrong variable). */
export class ReviewScoreError extends RapportError {
  readonly code = "rapport_review_score";
  constructor(score: unknown) {
    super(`a product rating is a whole score from ${REVIEW_SCALE.min} to ${REVIEW_SCALE.max}, got ${JSON.stringify(score)}`);
  }
}

/** The review to answer is not this customer's (a flow passing another run's id), or does not exist. */
export class ReviewNotFoundError extends RapportError {
  readonly code = "rapport_review_not_found";
  constructor(reviewId: string) {
    super(`no review request ${JSON.stringify(reviewId)} for this customer; pass the reviewId that review.request returned (vars.review.reviewId)`);
  }
}

/**
 * Runs in the transaction of the change, before commit, with what the call will answer: a flow action
 * stores its answer there (ActionEffect, issue 13), so a re-run of the turn gets it back instead of
 * deciding again (a second decision would find the first one's rows).
 */
export type Within<T> = (tx: Tx, result: T) => Promise<void>;

type Line = { position: number; sku: string; name: string; quantity: number; unitPriceMinor: number };

/**
 * The item a rating request names: the order's largest line by value (quantity × unit price), the
 * first one sent on a tie. "How do you like the coffee machine?" reads better than "your order", and
 * the biggest line is what the customer most likely has an opinion on.
 */
export function mainItem(lines: Line[]): Line | undefined {
  return [...lines].sort((a, b) => b.quantity * b.unitPriceMinor - a.quantity * a.unitPriceMinor || a.position - b.position)[0];
}

/**
 * Product reviews (issue 19): the rating request sent some days after a purchase, its 1-5 answer and
 * comment, stored with the order and its main item (`product_reviews`), and the customer's choice
 * not to be asked (`contacts.feedback_opt_out_at`). Every request, skip, answer and opt-out is in the
 * contact history, written in the transaction that changes the row.
 */
export class ProductReviews {
  constructor(private readonly db: Database) {}

  /**
   * Decides whether to ask about an order now and, if so, stores the request: one per order, ever
   * (product_reviews.purchase_id is unique), none for a customer who opted out, has an active support
   * ticket (asking "how do you like it?" mid-complaint is tone-deaf) or whose order was refunded in
   * full. `key` (the flow step run) makes a retried turn find its own request instead of a skip.
   */
  async request(contactId: string, orderId: string, key: string, within?: Within<ReviewRequest>): Promise<ReviewRequest> {
    return withDbRetry(() => this.db.prisma.$transaction(async (tx): Promise<ReviewRequest> => {
      const own = await tx.productReview.findUnique({ where: { idempotencyKey: key }, include: { purchase: { select: { orderId: true } } } });
      if (own) return { ask: true, reviewId: own.id, orderId: own.purchase.orderId, sku: own.sku, item: own.itemName };
      // A retried step whose first run decided not to ask: the same answer, not a second skip row.
      const skipped = await tx.interaction.findUnique({ where: { dedupeKey: `${key}:skipped` }, select: { data: true } });
      if (skipped) return { ask: false, reason: (JSON.parse(skipped.data ?? "{}") as { reason: ReviewSkipReason }).reason, orderId };
      const decided = await this.decide(tx as Tx, contactId, orderId, key);
      await within?.(tx as Tx, decided);
      return decided;
    })).catch(async (error: unknown): Promise<ReviewRequest> => {
      if (!isUniqueViolation(error)) throw error;
      // A concurrent attempt of the same step run won (same key): answer as it did.
      const own = await this.db.prisma.productReview.findUnique({ where: { idempotencyKey: key }, include: { purchase: { select: { orderId: true } } } });
      if (!own) throw error;
      return { ask: true, reviewId: own.id, orderId: own.purchase.orderId, sku: own.sku, item: own.itemName };
    });
  }

  /** The request's decision and its rows (review, history), inside request's transaction. */
  private async decide(tx: Tx, contactId: string, orderId: string, key: string): Promise<ReviewRequest> {
    // One decision per customer at a time: two requests for one order cannot both pass "asked before".
    await lockContact(tx, this.db.dialect, contactId);
    const skip = await this.skipReason(tx, contactId, orderId);
    if (skip) {
      await recordInteraction(tx, contactId, { direction: "event", kind: "review.skipped", actor: "system", text: `order ${orderId}`, dedupeKey: `${key}:skipped`, data: { orderId, reason: skip.reason } });
      return { ask: false, reason: skip.reason, orderId };
    }
    const purchase = await tx.purchase.findUniqueOrThrow({ where: { orderId }, include: { items: true } });
    const item = mainItem(purchase.items);
    const id = newId();
    await tx.productReview.create({ data: { id, contactId, purchaseId: purchase.id, sku: item?.sku ?? null, itemName: item?.name ?? null, requestedAt: new Date(), idempotencyKey: key } });
    await recordInteraction(tx, contactId, { direction: "event", kind: "review.requested", actor: "system", text: item?.name ?? `order ${orderId}`, data: { reviewId: id, orderId, sku: item?.sku ?? null } });
    return { ask: true, reviewId: id, orderId, sku: item?.sku ?? null, item: item?.name ?? null };
  }

  private async skipReason(tx: Tx, contactId: string, orderId: string): Promise<{ reason: ReviewSkipReason } | null> {
    const purchase = await tx.purchase.findUnique({ where: { orderId }, select: { id: true, contactId: true, amountMinor: true, refundedMinor: true, review: { select: { id: true } } } });
    if (!purchase || purchase.contactId !== contactId) return { reason: "unknown_order" };
    if (purchase.review) return { reason: "asked_before" };
    const contact = await tx.contact.findUniqueOrThrow({ where: { id: contactId }, select: { feedbackOptOutAt: true } });
    if (contact.feedbackOptOutAt) return { reason: "opted_out" };
    if (await tx.ticket.count({ where: { contactId, status: { in: [...ACTIVE_STATUSES] } } })) return { reason: "in_ticket" };
    if (purchase.amountMinor > 0 && purchase.refundedMinor >= purchase.amountMinor) return { reason: "refunded" };
    return null;
  }

  /**
   * Stores the customer's answer to a request: the score (the first one counts as answering; a
   * later one replaces it) and/or a comment. Each is written to the contact history once per `key`.
   */
  async answer(contactId: string, reviewId: string, a: { score?: number; comment?: string | null }, key: string, within?: Within<{ score: number | null }>): Promise<{ score: number | null }> {
    if (a.score !== undefined && (!Number.isInteger(a.score) || a.score < REVIEW_SCALE.min || a.score > REVIEW_SCALE.max)) throw new ReviewScoreError(a.score);
    const comment = a.comment?.trim() ? a.comment.trim().slice(0, 2000) : null;
    return withDbRetry(() => this.db.prisma.$transaction(async (tx) => {
      const review = await tx.productReview.findFirst({ where: { id: reviewId, contactId }, include: { purchase: { select: { orderId: true } } } });
      if (!review) throw new ReviewNotFoundError(reviewId);
      const repeat = await tx.interaction.findUnique({ where: { dedupeKey: key }, select: { id: true } });
      if (repeat) return { score: review.score }; // a retried turn: stored already
      const score = a.score ?? review.score;
      await tx.productReview.update({ where: { id: reviewId }, data: {
        ...(a.score !== undefined ? { score: a.score, answeredAt: review.answeredAt ?? new Date() } : {}),
        ...(comment ? { comment } : {}),
      } });
      const data = { reviewId, orderId: review.purchase.orderId, sku: review.sku, score };
      if (a.score !== undefined) await recordInteraction(tx, contactId, { direction: "event", kind: "review.rated", actor: "customer", text: review.itemName ?? undefined, dedupeKey: key, data });
      if (comment) await recordInteraction(tx, contactId, { direction: "event", kind: "review.comment", actor: "customer", text: comment, dedupeKey: a.score !== undefined ? `${key}:comment` : key, data });
      await within?.(tx as Tx, { score });
      return { score };
    }));
  }

  /**
   * Records the customer's choice about rating requests (`/no_reviews`, `/reviews_on`); returns
   * whether it changed anything. Pending requests check it when they come due, so an opt-out stops
   * the ones already scheduled too.
   */
  async setOptOut(contactId: string, out: boolean, within?: Within<{ changed: boolean }>): Promise<{ changed: boolean }> {
    return withDbRetry(() => this.db.prisma.$transaction(async (tx) => {
      const changed = await tx.contact.updateMany({ where: { id: contactId, feedbackOptOutAt: out ? null : { not: null } }, data: { feedbackOptOutAt: out ? new Date() : null } });
      if (changed.count > 0) await recordInteraction(tx, contactId, { direction: "event", kind: out ? "feedback.opt_out" : "feedback.opt_in", actor: "customer", data: { what: "product reviews" } });
      await within?.(tx as Tx, { changed: changed.count > 0 });
      return { changed: changed.count > 0 };
    }));
  }
}

/** The product reviews service key, for flow actions. */
export const PRODUCT_REVIEWS = new ServiceKey<ProductReviews>("feedback.productReviews");
