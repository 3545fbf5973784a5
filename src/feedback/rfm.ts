/**
 * RFM segmentation, the pure part (issue "Feedback and insight", part 5): scores customers on
 * recency, frequency and monetary value and names their segment. No I/O; `segments.ts` reads the
 * purchases and writes the result onto the contacts.
 */

const DAY_MS = 86_400_000;

/** The segment names, as flows test them (`{ contact: segment, equals: champions }`). */
export type SegmentName = "champions" | "loyal" | "potential" | "at_risk" | "lost" | "needs_attention";

/** One customer's purchases, summed: only purchases with something left after refunds count. */
export interface RfmCustomer {
  contactId: string;
  /** The latest counted purchase. */
  lastPurchaseAt: Date;
  /** How many purchases count (net amount > 0). */
  orders: number;
  /** Sum of net amounts (amount − refunded) in minor units, all currencies added as they are. */
  monetaryMinor: number;
}

/** A customer's scores (1–5 each) and the segment they put them in. */
export interface RfmScore {
  contactId: string;
  /** Whole days between the last counted purchase and `now` (0 for a purchase today or dated later). */
  recencyDays: number;
  recency: number;
  frequency: number;
  monetary: number;
  segment: SegmentName;
}

/** One row of the segment table: the name, the rule as people read it, and the test. */
export interface SegmentRule {
  segment: SegmentName;
  /** The rule in the notation of the docs and `rapport rfm` (R, F, M are the 1–5 scores). */
  when: string;
  matches(r: number, f: number, m: number): boolean;
}

/**
 * The segments, tried in this order; the first rule that matches names the segment, so e.g.
 * `loyal` only catches frequent buyers who are not already champions.
 *
 * | segment         | rule (first match wins)   | meaning                                      |
 * |-----------------|---------------------------|----------------------------------------------|
 * | champions       | R≥4, F≥4, M≥4             | bought lately, often, and spent the most     |
 * | loyal           | F≥4, R≥3                  | buy often and still around                   |
 * | potential       | R≥4, F≤3                  | bought lately but not often yet              |
 * | at_risk         | R≤2, and F≥3 or M≥3       | were good customers, gone quiet              |
 * | lost            | R≤2                       | bought little, long ago                      |
 * | needs_attention | anything else             | middling on every score                      |
 */
export const SEGMENT_RULES: readonly SegmentRule[] = [
  { segment: "champions", when: "R≥4, F≥4, M≥4", matches: (r, f, m) => r >= 4 && f >= 4 && m >= 4 },
  { segment: "loyal", when: "F≥4, R≥3", matches: (r, f) => f >= 4 && r >= 3 },
  { segment: "potential", when: "R≥4, F≤3", matches: (r, f) => r >= 4 && f <= 3 },
  { segment: "at_risk", when: "R≤2, and F≥3 or M≥3", matches: (r, f, m) => r <= 2 && (f >= 3 || m >= 3) },
  { segment: "lost", when: "R≤2", matches: (r) => r <= 2 },
  { segment: "needs_attention", when: "anything else", matches: () => true },
];

/** Every segment name in table order (for listings that show empty segments too). */
export const SEGMENT_NAMES: readonly SegmentName[] = SEGMENT_RULES.map((r) => r.segment);

/** The segment for scores R, F, M: the first rule of SEGMENT_RULES that matches. */
export function segmentOf(recency: number, frequency: number, monetary: number): SegmentName {
  return SEGMENT_RULES.find((rule) => rule.matches(recency, frequency, monetary))!.segment;
}

/**
 * Scores customers 1–5 on each of R, F and M by quintile of rank among the customers given:
 * sort them from worst to best on the metric (recency: most days since the last purchase first;
 * frequency and monetary: fewest orders / least spent first); the customer at 0-based position `i`
 * of `n` scores `floor(i × 5 / n) + 1`. Equal values share the score of the first of them, so ties
 * never split across a boundary and share the lower score. Recency is compared in whole days, so
 * two purchases on the same day tie.
 *
 * Scores are relative: they say where a customer stands among these customers, not against a fixed
 * threshold. With few customers that is harsh (a lone customer scores R1 F1 M1, "lost"; with four,
 * the best score is 4), which is the price of needing no tuning.
 *
 * Customers without a counted purchase (`orders` < 1 or `monetaryMinor` ≤ 0, e.g. fully refunded)
 * are left out: they get no segment. Monetary sums minor units across currencies as they are, with
 * no exchange rates: fine for a shop in one currency, a rough ranking otherwise.
 */
export function scoreRfm(customers: readonly RfmCustomer[], now: Date): RfmScore[] {
  const counted = customers.filter((c) => c.orders >= 1 && c.monetaryMinor > 0);
  const days = counted.map((c) => Math.max(0, Math.floor((now.getTime() - c.lastPurchaseAt.getTime()) / DAY_MS)));
  const recency = quintiles(days.map((d) => -d)); // fewer days is better
  const frequency = quintiles(counted.map((c) => c.orders));
  const monetary = quintiles(counted.map((c) => c.monetaryMinor));
  return counted.map((c, i) => ({
    contactId: c.contactId, recencyDays: days[i]!,
    recency: recency[i]!, frequency: frequency[i]!, monetary: monetary[i]!,
    segment: segmentOf(recency[i]!, frequency[i]!, monetary[i]!),
  }));
}

/** Quintile scores for `values` (higher is better), in the order given; see scoreRfm for the rule. */
function quintiles(values: readonly number[]): number[] {
  const n = values.length;
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const scores = new Array<number>(n);
  let first = 0; // position of the first value equal to the current one
  order.forEach((index, position) => {
    if (position > 0 && values[index] !== values[order[position - 1]!]) first = position;
    scores[index] = Math.floor((first * 5) / n) + 1;
  });
  return scores;
}

/** A purchase as far as RFM cares. */
export interface RfmPurchase {
  contactId: string;
  amountMinor: number;
  refundedMinor: number;
  occurredAt: Date;
}

/**
 * Sums purchases per customer the way RFM counts them: a purchase counts when its net amount
 * (amount − refunded) is above zero, so a fully refunded order neither adds an order nor makes the
 * customer recent. Customers with no counted purchase are left out. `segments.ts` does the same
 * sum in the database; this is the rule written once in plain code, for tests and small imports.
 */
export function summarizePurchases(purchases: readonly RfmPurchase[]): RfmCustomer[] {
  const byContact = new Map<string, RfmCustomer>();
  for (const p of purchases) {
    const net = p.amountMinor - p.refundedMinor;
    if (net <= 0) continue;
    const c = byContact.get(p.contactId);
    if (!c) byContact.set(p.contactId, { contactId: p.contactId, lastPurchaseAt: p.occurredAt, orders: 1, monetaryMinor: net });
    else {
      c.orders++;
      c.monetaryMinor += net;
      if (p.occurredAt > c.lastPurchaseAt) c.lastPurchaseAt = p.occurredAt;
    }
  }
  return [...byContact.values()];
}
