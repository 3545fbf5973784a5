import { describe, expect, it } from "vitest";
import { scoreRfm, SEGMENT_NAMES, SEGMENT_RULES, segmentOf, summarizePurchases, type RfmCustomer } from "../../src/feedback/rfm";

const NOW = new Date("2025-06-30T12:00:00Z");
const DAY = 86_400_000;
/** A purchase `days` whole days (and a few hours) before NOW: recency counts whole days. */
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY - 3 * 3_600_000);
const customer = (contactId: string, days: number, orders: number, monetaryMinor: number): RfmCustomer =>
  ({ contactId, lastPurchaseAt: daysAgo(days), orders, monetaryMinor });

describe("scoreRfm", () => {
  it("scores ten customers by quintile and names their segments, as computed by hand", () => {
    // With n = 10 a customer at sorted position i scores floor(i × 5 / 10) + 1:
    // positions 0-1 → 1, 2-3 → 2, 4-5 → 3, 6-7 → 4, 8-9 → 5; equal values take their first position's score.
    //
    // Recency, worst (most days) first: h 400 (0→1), e 300 & f 300 (1, tie → 1; e alone at 2 would be 2),
    //   j 150 (3→2), i 60 (4→3), g 45 (5→3), c 10 (6→4), b 5 (7→4), d 3 (8→5), a 2 (9→5).
    // Frequency, fewest first: c 1, d 1, f 1 (0-2, tie → 1; the third alone would be 2), h 2 (3→2),
    //   i 3 (4→3), j 5 (5→3), g 7 (6→4), b 8 (7→4), e 9 (8→5), a 12 (9→5).
    // Monetary, least first: f 15.00 (1), d 20.00 (1), c 50.00 (2), i 100.00 (2), j 250.00 (3),
    //   g 300.00 (3), h 400.00 (4), e 800.00 (4), a 900.00 (5), b 1200.00 (5).
    // Segments (first match): a 5/5/5 and b 4/4/5 champions; g 3/4/3 loyal (F≥4, R≥3, M<4);
    //   c 4/1/2 and d 5/1/1 potential (R≥4, F≤3); e 1/5/4, h 1/2/4, j 2/3/3 at_risk (R≤2 with F or M ≥3);
    //   f 1/1/1 lost; i 3/3/2 needs_attention (nothing else matches).
    const scores = scoreRfm([
      customer("a", 2, 12, 90_000),
      customer("b", 5, 8, 120_000),
      customer("c", 10, 1, 5_000),
      customer("d", 3, 1, 2_000),
      customer("e", 300, 9, 80_000),
      customer("f", 300, 1, 1_500),
      customer("g", 45, 7, 30_000),
      customer("h", 400, 2, 40_000),
      customer("i", 60, 3, 10_000),
      customer("j", 150, 5, 25_000),
    ], NOW);
    expect(scores).toEqual([
      { contactId: "a", recencyDays: 2, recency: 5, frequency: 5, monetary: 5, segment: "champions" },
      { contactId: "b", recencyDays: 5, recency: 4, frequency: 4, monetary: 5, segment: "champions" },
      { contactId: "c", recencyDays: 10, recency: 4, frequency: 1, monetary: 2, segment: "potential" },
      { contactId: "d", recencyDays: 3, recency: 5, frequency: 1, monetary: 1, segment: "potential" },
      { contactId: "e", recencyDays: 300, recency: 1, frequency: 5, monetary: 4, segment: "at_risk" },
      { contactId: "f", recencyDays: 300, recency: 1, frequency: 1, monetary: 1, segment: "lost" },
      { contactId: "g", recencyDays: 45, recency: 3, frequency: 4, monetary: 3, segment: "loyal" },
      { contactId: "h", recencyDays: 400, recency: 1, frequency: 2, monetary: 4, segment: "at_risk" },
      { contactId: "i", recencyDays: 60, recency: 3, frequency: 3, monetary: 2, segment: "needs_attention" },
      { contactId: "j", recencyDays: 150, recency: 2, frequency: 3, monetary: 3, segment: "at_risk" },
    ]);
  });

  it("does not depend on the order customers are given in", () => {
    const list = [customer("a", 1, 3, 300), customer("b", 20, 1, 100), customer("c", 8, 2, 200), customer("d", 8, 2, 50)];
    const byId = (xs: ReturnType<typeof scoreRfm>) => Object.fromEntries(xs.map((x) => [x.contactId, x]));
    expect(byId(scoreRfm([...list].reverse(), NOW))).toEqual(byId(scoreRfm(list, NOW)));
  });

  it("gives everyone the lowest score when all are equal, and a lone customer R1 F1 M1 (lost)", () => {
    expect(scoreRfm([customer("x", 7, 2, 500), customer("y", 7, 2, 500), customer("z", 7, 2, 500)], NOW).map((s) => [s.recency, s.frequency, s.monetary]))
      .toEqual([[1, 1, 1], [1, 1, 1], [1, 1, 1]]);
    expect(scoreRfm([customer("solo", 0, 40, 1_000_000)], NOW))
      .toEqual([{ contactId: "solo", recencyDays: 0, recency: 1, frequency: 1, monetary: 1, segment: "lost" }]);
  });

  it("uses scores 1-4 for four customers (floor(3 × 5 / 4) + 1 = 4), and 1-5 for five", () => {
    const four = scoreRfm([customer("a", 1, 1, 100), customer("b", 2, 2, 200), customer("c", 3, 3, 300), customer("d", 4, 4, 400)], NOW);
    expect(four.map((s) => s.recency)).toEqual([4, 3, 2, 1]);
    expect(four.map((s) => s.frequency)).toEqual([1, 2, 3, 4]);
    const five = scoreRfm([1, 2, 3, 4, 5].map((n) => customer(`c${n}`, 10 - n, n, n * 100)), NOW);
    expect(five.map((s) => s.monetary)).toEqual([1, 2, 3, 4, 5]);
    expect(five.map((s) => s.recency)).toEqual([1, 2, 3, 4, 5]);
  });

  it("counts recency in whole days, with a purchase dated after now as 0 days", () => {
    const [late, today] = scoreRfm([
      { contactId: "late", lastPurchaseAt: new Date(NOW.getTime() + DAY), orders: 1, monetaryMinor: 100 },
      { contactId: "today", lastPurchaseAt: new Date(NOW.getTime() - DAY + 1), orders: 1, monetaryMinor: 100 },
    ], NOW);
    expect([late!.recencyDays, today!.recencyDays]).toEqual([0, 0]);
    expect(late!.recency).toBe(today!.recency); // same day: a tie
  });

  it("leaves out customers with nothing counted, and scores the rest among themselves", () => {
    const scores = scoreRfm([customer("refunded", 1, 0, 0), customer("a", 1, 1, 100), customer("b", 30, 1, 50)], NOW);
    expect(scores.map((s) => [s.contactId, s.recency, s.monetary])).toEqual([["a", 3, 3], ["b", 1, 1]]);
    expect(scoreRfm([], NOW)).toEqual([]);
  });
});

describe("summarizePurchases", () => {
  it("counts only purchases with something left after refunds, in orders, spend and recency", () => {
    const customers = summarizePurchases([
      { contactId: "a", amountMinor: 5_000, refundedMinor: 0, occurredAt: daysAgo(20) },
      { contactId: "a", amountMinor: 3_000, refundedMinor: 1_000, occurredAt: daysAgo(10) }, // partly refunded: 20.00 counts
      { contactId: "a", amountMinor: 9_000, refundedMinor: 9_000, occurredAt: daysAgo(1) }, // fully refunded: not recent, not counted
      { contactId: "b", amountMinor: 700, refundedMinor: 700, occurredAt: daysAgo(2) }, // b has nothing left
    ]);
    expect(customers).toEqual([{ contactId: "a", lastPurchaseAt: daysAgo(10), orders: 2, monetaryMinor: 7_000 }]);
    expect(scoreRfm(customers, NOW)).toEqual([{ contactId: "a", recencyDays: 10, recency: 1, frequency: 1, monetary: 1, segment: "lost" }]);
  });
});

describe("segment table", () => {
  it("is tried in order, so the first matching rule names the segment", () => {
    expect(SEGMENT_NAMES).toEqual(["champions", "loyal", "potential", "at_risk", "lost", "needs_attention"]);
    expect(SEGMENT_RULES.map((r) => `${r.segment}: ${r.when}`)).toEqual([
      "champions: R≥4, F≥4, M≥4", "loyal: F≥4, R≥3", "potential: R≥4, F≤3",
      "at_risk: R≤2, and F≥3 or M≥3", "lost: R≤2", "needs_attention: anything else",
    ]);
    expect(segmentOf(5, 5, 3)).toBe("loyal"); // would be a champion with M≥4
    expect(segmentOf(4, 4, 4)).toBe("champions");
    expect(segmentOf(5, 3, 5)).toBe("potential");
    expect(segmentOf(2, 4, 1)).toBe("at_risk"); // frequent but gone: not loyal, R<3
    expect(segmentOf(2, 2, 3)).toBe("at_risk");
    expect(segmentOf(1, 2, 2)).toBe("lost");
    expect(segmentOf(3, 2, 5)).toBe("needs_attention");
  });

  it("names a segment for every one of the 125 score combinations", () => {
    const seen = new Set<string>();
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) seen.add(segmentOf(r, f, m));
    expect([...seen].sort()).toEqual([...SEGMENT_NAMES].sort());
  });
});
