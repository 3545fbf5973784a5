/**
 * Product ratings in the report (issue 19, item 4) for a fixed data set on the real database (SQLite,
 * or PostgreSQL with TEST_DATABASE_URL), every figure computed by hand. Requests just before `from`
 * and exactly at `to` must stay out.
 */
import { describe, expect, it } from "vitest";
import type { Database } from "../../src/db/Database";
import { buildReport } from "../../src/feedback/report";
import { orderRatings, describeRating } from "../../src/feedback/orderRatings";
import { testDialect } from "../helpers/database";
import { makeFixture } from "../helpers/fixture";
import { useTestApps } from "../helpers/testApp";

const useApps = useTestApps();
const startApp = () => { const f = makeFixture({}); return useApps({ flowsDir: f.flowsDir, localesDir: f.localesDir }); };

const FROM = new Date("2024-05-01T00:00:00.000Z");
const TO = new Date("2024-06-01T00:00:00.000Z");
const BEFORE = new Date("2024-04-30T23:59:59.999Z");
const T = Date.parse("2024-05-10T09:00:00.000Z");
const at = (minutes: number) => new Date(T + minutes * 60_000);

type Row = { contact: string; sku: string | null; name: string | null; score: number | null; requestedAt: Date; ticket?: { contact?: string; at: Date } };

/**
 * In the period (12 requests, 8 rated: 66.7%; average 25 / 8 = 3.125 → 3.13):
 *   MUG-1 Blue mug       5, 4, 4, 2, –   → asked 5, rated 4, 15 / 4 = 3.75
 *   KTL-7 Copper kettle  1, 1, 5, –, –   → asked 5, rated 3,  7 / 3 = 2.33
 *   (no sku)             3               → asked 1, rated 1, 3.00
 *   LAMP-2 Desk lamp     –               → asked 1, rated 0
 * Low ratings (1-2): MUG-1's 2 and KTL-7's two 1s = 3. Reached support: the first 1 (a ticket with its
 * order, opened after the request) = 1 of 3 = 33.3%. Not counted: the 2, whose order's ticket is older
 * than the request; the second 1, whose order id is on another customer's ticket; the 5's ticket (not low).
 */
const ROWS: Row[] = [
  { contact: "ann", sku: "MUG-1", name: "Blue mug", score: 5, requestedAt: at(0) },
  { contact: "ann", sku: "MUG-1", name: "Blue mug", score: 4, requestedAt: at(1) },
  { contact: "ben", sku: "MUG-1", name: "Blue mug", score: 4, requestedAt: at(2) },
  { contact: "ben", sku: "MUG-1", name: "Blue mug", score: 2, requestedAt: at(3), ticket: { at: at(-60) } },
  { contact: "cat", sku: "MUG-1", name: "Blue mug", score: null, requestedAt: at(4) },
  { contact: "ann", sku: "KTL-7", name: "Copper kettle", score: 1, requestedAt: FROM, ticket: { at: at(10) } }, // exactly at `from`: in
  { contact: "ben", sku: "KTL-7", name: "Copper kettle", score: 1, requestedAt: at(6), ticket: { contact: "cat", at: at(20) } },
  { contact: "cat", sku: "KTL-7", name: "Copper kettle", score: 5, requestedAt: at(7), ticket: { at: at(30) } },
  { contact: "cat", sku: "KTL-7", name: "Copper kettle", score: null, requestedAt: at(8) },
  { contact: "ann", sku: "KTL-7", name: "Copper kettle", score: null, requestedAt: at(9) },
  { contact: "ben", sku: null, name: null, score: 3, requestedAt: at(10) },
  { contact: "cat", sku: "LAMP-2", name: "Desk lamp", score: null, requestedAt: at(11) },
  { contact: "ann", sku: "MUG-1", name: "Blue mug", score: 1, requestedAt: BEFORE, ticket: { at: at(40) } }, // out
  { contact: "ann", sku: "LAMP-2", name: "Desk lamp", score: 1, requestedAt: TO }, // out
];

async function seed(db: Database): Promise<void> {
  const p = db.prisma;
  await p.contact.createMany({ data: ["ann", "ben", "cat"].map((id) => ({ id, displayName: id })) });
  await p.purchase.createMany({ data: ROWS.map((r, i) => ({ id: `p${i}`, contactId: r.contact, orderId: `O-${i}`, amountMinor: 1000, currency: "EUR", occurredAt: new Date(r.requestedAt.getTime() - 3 * 86_400_000), pointsAwarded: 10 })) });
  await p.productReview.createMany({ data: ROWS.map((r, i) => ({
    id: `r${i}`, contactId: r.contact, purchaseId: `p${i}`, sku: r.sku, itemName: r.name, requestedAt: r.requestedAt, score: r.score,
    comment: r.score === 2 ? "too small" : null, answeredAt: r.score === null ? null : new Date(r.requestedAt.getTime() + 60_000), idempotencyKey: `k${i}`,
  })) });
  await p.ticket.createMany({ data: ROWS.flatMap((r, i) => (r.ticket ? [{
    id: `t${i}`, contactId: r.ticket.contact ?? r.contact, status: "open", reason: "low_rating", idempotencyKey: `t${i}`, createdAt: r.ticket.at, orderId: `O-${i}`,
  }] : [])) });
}

describe(`product ratings (${testDialect})`, () => {
  it("per sku, the response rate and the low ratings that reached support, for requests sent in the period", async () => {
    const { app } = await startApp();
    await seed(app.db);
    const { products } = await buildReport(app.db, { from: FROM, to: TO });
    const dist = (...n: number[]) => n.map((responses, i) => ({ score: i + 1, responses }));
    expect(products).toEqual({
      requested: 12, rated: 8, responseRatePercent: 66.7, average: 3.13, distribution: dist(2, 1, 1, 2, 2),
      bySku: [
        { sku: "MUG-1", name: "Blue mug", requested: 5, rated: 4, average: 3.75, distribution: dist(0, 1, 0, 2, 1) },
        { sku: "KTL-7", name: "Copper kettle", requested: 5, rated: 3, average: 2.33, distribution: dist(2, 0, 0, 0, 1) },
        { sku: null, name: null, requested: 1, rated: 1, average: 3, distribution: dist(0, 0, 1, 0, 0) },
        { sku: "LAMP-2", name: "Desk lamp", requested: 1, rated: 0, average: null, distribution: dist(0, 0, 0, 0, 0) },
      ],
      low: { ratings: 3, reachedSupport: 1, reachedSupportPercent: 33.3 },
    });
  });

  it("widening the period by a millisecond takes in the requests at its edges; an empty period has nulls", async () => {
    const { app } = await startApp();
    await seed(app.db);
    const wide = (await buildReport(app.db, { from: BEFORE, to: new Date(TO.getTime() + 1) })).products;
    // 14 asked, 10 rated (71.4%); two more 1s: 27 / 10 = 2.7; low 5, reached 2 (the early one's ticket is later) = 40%
    expect(wide).toMatchObject({ requested: 14, rated: 10, responseRatePercent: 71.4, average: 2.7, low: { ratings: 5, reachedSupport: 2, reachedSupportPercent: 40 } });
    expect(wide.bySku.find((s) => s.sku === "LAMP-2")).toMatchObject({ requested: 2, rated: 1, average: 1 });
    const empty = (await buildReport(app.db, { from: new Date("2020-01-01T00:00:00Z"), to: new Date("2020-02-01T00:00:00Z") })).products;
    expect(empty).toEqual({
      requested: 0, rated: 0, responseRatePercent: null, average: null, distribution: [1, 2, 3, 4, 5].map((score) => ({ score, responses: 0 })), bySku: [],
      low: { ratings: 0, reachedSupport: 0, reachedSupportPercent: null },
    });
  });

  it("reads a contact's ratings by order for the history, with the ticket that followed", async () => {
    const { app } = await startApp();
    await seed(app.db);
    const ben = await orderRatings(app.db, "ben");
    expect(ben.map((r) => [r.orderId, r.score, r.ticket?.id ?? null])).toEqual([["O-2", 4, null], ["O-3", 2, null], ["O-6", 1, null], ["O-10", 3, null]]);
    const ann = await orderRatings(app.db, "ann");
    expect(ann.find((r) => r.orderId === "O-5")).toEqual({
      orderId: "O-5", sku: "KTL-7", item: "Copper kettle", score: 1, comment: null, requestedAt: FROM.toISOString(), answeredAt: "2024-05-01T00:01:00.000Z",
      ticket: { id: "t5", status: "open" },
    });
    expect(describeRating(ann.find((r) => r.orderId === "O-5")!)).toBe("rated 1/5: Copper kettle (KTL-7); ticket t5 (open)");
    expect(describeRating(ben.find((r) => r.orderId === "O-3")!)).toBe('rated 2/5: Blue mug (MUG-1) "too small"');
    expect(describeRating((await orderRatings(app.db, "cat")).find((r) => r.orderId === "O-11")!)).toBe("asked to rate Desk lamp (LAMP-2) on 2024-05-10, no answer");
  });
});
