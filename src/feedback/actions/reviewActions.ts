import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";
import { PRODUCT_REVIEWS, type ReviewRequest } from "../ProductReviews";

/**
 * `review.request`: may the customer be asked about this order now? Stores the request when yes
 * (one per order; none after `/no_reviews`, during an active support ticket, or for an order
 * refunded in full) and answers `{ ask, reviewId, item, sku, reason }`: `item` is the name of the
 * order's main line (null when the shop sent no items: ask about "your order"), `reason` why not.
 */
export const reviewRequest = registerAction({
  name: "review.request",
  description: "Decides whether to ask the customer to rate an order now (one request per order; none when opted out, in a support ticket or refunded) and stores the request; returns ask, reviewId, orderId, item, sku, reason.",
  returns: ["ask", "reviewId", "orderId", "item", "sku", "reason"],
  params: z.object({ order_id: z.string().min(1).max(200) }),
  effect: true, // the request (or skip) and this answer commit together (issue 13)
  async run({ order_id }, ctx) {
    const r = await ctx.services.get(PRODUCT_REVIEWS).request(ctx.contact.id, order_id, `review:${ctx.stepKey}`, (tx, decided) => ctx.effect.store(tx, shape(decided)));
    return shape(r);
  },
});

/**
 * `review.answer`: stores the customer's rating (1-5) and/or comment with the request
 * `review.request` made, in the contact history too; once per step run.
 */
export const reviewAnswer = registerAction({
  name: "review.answer",
  description: "Stores a rating `score` (1-5) and/or `comment` for the request review.request made (`review_id`); returns score.",
  returns: ["score"],
  params: z.object({
    review_id: z.string().min(1),
    // An empty text (a variable no step saved) is "not given", not 0.
    score: z.preprocess((v) => (v === "" || v === null ? undefined : v), z.coerce.number().int().optional()),
    comment: z.string().nullish(),
  }),
  effect: true,
  async run(p, ctx) {
    return ctx.services.get(PRODUCT_REVIEWS).answer(ctx.contact.id, p.review_id, { score: p.score, comment: p.comment }, `review-answer:${ctx.stepKey}`, (tx, r) => ctx.effect.store(tx, r));
  },
});

/**
 * `feedback.opt_out`: the customer's choice about rating requests: `out: true` (`/no_reviews`) stops
 * them, scheduled ones included; `out: false` (`/reviews_on`) asks again. Recorded in the history.
 */
export const feedbackOptOut = registerAction({
  name: "feedback.opt_out",
  description: "Stops (`out: true`) or restarts (`out: false`) the requests to rate orders for this customer; returns changed.",
  returns: ["changed"],
  params: z.object({ out: z.boolean().default(true) }).default({ out: true }),
  effect: true,
  async run({ out }, ctx) {
    return ctx.services.get(PRODUCT_REVIEWS).setOptOut(ctx.contact.id, out, (tx, r) => ctx.effect.store(tx, r));
  },
});

/** The action's answer: every field present (null when it does not apply), the same on a re-run. */
function shape(r: ReviewRequest) {
  return r.ask ? { ...r, reason: null } : { ...r, reviewId: null, item: null, sku: null };
}
