/**
 * Purchase events (issue 19): a new purchase raises `purchase.recorded`, a refund `purchase.refunded`,
 * as stored work written in the purchase's (refund's) own transaction, with the figures flows need.
 * Duplicates and orders older than the setting raise nothing. Runs on SQLite, or PostgreSQL in CI.
 */
import { describe, expect, it, vi } from "vitest";
import type { App } from "../../src/app/createApp";
import { newId } from "../../src/core/ids";
import { LEDGER } from "../../src/loyalty/Ledger";
import { PURCHASES } from "../../src/loyalty/Purchases";
import { announcesPurchase } from "../../src/loyalty/purchaseEvents";
import { makeFixture } from "../helpers/fixture";
import { testDialect } from "../helpers/database";
import { useTestApps } from "../helpers/testApp";

const useApps = useTestApps();
/** No flows: the events stay stored work, which is what these tests read. */
const startApp = (options: { maxAgeHours?: number } = {}) => { const f = makeFixture({}); return useApps({ flowsDir: f.flowsDir, localesDir: f.localesDir, purchaseEventsMaxAgeHours: options.maxAgeHours }); };
const HOUR = 3_600_000;

async function contact(app: App): Promise<string> {
  const id = newId();
  await app.db.prisma.contact.create({ data: { id } });
  return id;
}

async function events(app: App) {
  // Tier-up congratulations are jobs too (stored with the points); these tests are about purchase events.
  const jobs = await app.db.prisma.scheduledJob.findMany({ where: { name: { not: "loyalty.tier_changed" } }, orderBy: { createdAt: "asc" } });
  return jobs.map((j) => ({ name: j.name, contactId: j.contactId, status: j.status, data: JSON.parse(j.data ?? "{}") }));
}

describe(`purchase events (${testDialect})`, () => {
  it("a new purchase raises purchase.recorded with amount, points, balance, tier progress, first purchase and items", async () => {
    const { app } = await startApp();
    const id = await contact(app);
    const book = app.services.get(PURCHASES);
    await book.record({ contactId: id, orderId: "A-1", amountMinor: 1999, currency: "eur", occurredAt: new Date(), items: [
      { sku: "TEA-1", name: "Green tea", quantity: 2, unitPriceMinor: 999 }, { sku: "GIFT", name: "Sample", quantity: 1, unitPriceMinor: 1 },
    ] });
    await book.record({ contactId: id, orderId: "A-2", amountMinor: 100_000, currency: "EUR", occurredAt: new Date(Date.now() - HOUR) });
    const [first, second] = await events(app);
    expect(first).toMatchObject({ name: "purchase.recorded", contactId: id, status: "pending" });
    expect(first!.data).toEqual({
      orderId: "A-1", amount: "19.99", currency: "EUR", points: 19, balance: 19, tier: "novice", nextTier: "connoisseur", pointsToNextTier: 981,
      firstPurchase: true, occurredAt: expect.any(String),
      items: [{ sku: "TEA-1", name: "Green tea", quantity: 2, unitPrice: "9.99" }, { sku: "GIFT", name: "Sample", quantity: 1, unitPrice: "0.01" }],
    });
    // 1,000 points cross into connoisseur: the progress is towards star, counted on lifetime points.
    expect(second!.data).toMatchObject({ orderId: "A-2", amount: "1000.00", points: 1000, balance: 1019, tier: "connoisseur", nextTier: "star", pointsToNextTier: 3981, firstPurchase: false });
    expect(second!.data).not.toHaveProperty("items");
    expect(await app.db.prisma.purchaseItem.findMany({ orderBy: { position: "asc" }, select: { position: true, sku: true, name: true, quantity: true, unitPriceMinor: true } }))
      .toEqual([{ position: 0, sku: "TEA-1", name: "Green tea", quantity: 2, unitPriceMinor: 999 }, { position: 1, sku: "GIFT", name: "Sample", quantity: 1, unitPriceMinor: 1 }]);
  });

  it("a duplicate raises nothing more; an order older than the setting raises nothing at all (and says so in the history)", async () => {
    const { app } = await startApp({ maxAgeHours: 48 });
    const id = await contact(app);
    const book = app.services.get(PURCHASES);
    await book.record({ contactId: id, orderId: "D-1", amountMinor: 500, currency: "EUR", occurredAt: new Date() });
    expect((await book.record({ contactId: id, orderId: "D-1", amountMinor: 500, currency: "EUR", occurredAt: new Date() })).duplicate).toBe(true);
    await book.record({ contactId: id, orderId: "OLD-1", amountMinor: 500, currency: "EUR", occurredAt: new Date(Date.now() - 49 * HOUR) });
    await book.record({ contactId: id, orderId: "RECENT-1", amountMinor: 500, currency: "EUR", occurredAt: new Date(Date.now() - 47 * HOUR) });
    expect((await events(app)).map((e) => e.data.orderId)).toEqual(["D-1", "RECENT-1"]);
    const rows = await app.db.prisma.interaction.findMany({ where: { kind: "purchase" } });
    expect(Object.fromEntries(rows.map((r) => [r.text, JSON.parse(r.data!).announced]))).toEqual({ "order D-1": true, "order OLD-1": false, "order RECENT-1": true });
    expect((await app.db.prisma.contact.findUniqueOrThrow({ where: { id } })).points).toBe(15); // old orders still earn their points
  });

  it("the setting's boundary: older than the maximum age is not announced, exactly at it still is", () => {
    const now = new Date("2024-05-03T00:00:00Z");
    expect(announcesPurchase(new Date("2024-05-01T00:00:00Z"), now, 48 * HOUR)).toBe(true);
    expect(announcesPurchase(new Date("2024-04-30T23:59:59.999Z"), now, 48 * HOUR)).toBe(false);
  });

  it("a failure inside the purchase's transaction leaves no order, points, history or event; the retry raises it once", async () => {
    const { app } = await startApp();
    const id = await contact(app);
    const ledger = app.services.get(LEDGER);
    const crash = vi.spyOn(ledger, "postIn").mockRejectedValueOnce(new Error("process died here"));
    const input = { contactId: id, orderId: "X-1", amountMinor: 2000, currency: "EUR", occurredAt: new Date(), items: [{ sku: "S", name: "N", quantity: 1, unitPriceMinor: 2000 }] };
    await expect(app.services.get(PURCHASES).record(input)).rejects.toThrow("process died here");
    const p = app.db.prisma;
    expect([await p.purchase.count(), await p.purchaseItem.count(), await p.ledgerEntry.count(), await p.interaction.count(), await p.scheduledJob.count()]).toEqual([0, 0, 0, 0, 0]);
    crash.mockRestore();
    await app.services.get(PURCHASES).record(input);
    await app.services.get(PURCHASES).record(input);
    expect([await p.purchase.count(), await p.purchaseItem.count(), await p.ledgerEntry.count(), await p.scheduledJob.count()]).toEqual([1, 1, 1, 1]);
  });

  it("two first orders of one customer at once: exactly one is the first purchase", async () => {
    const { app } = await startApp();
    const id = await contact(app);
    const book = app.services.get(PURCHASES);
    await Promise.all(["P-1", "P-2", "P-3"].map((orderId) => book.record({ contactId: id, orderId, amountMinor: 1000, currency: "EUR", occurredAt: new Date() })));
    expect((await events(app)).filter((e) => e.data.firstPurchase)).toHaveLength(1);
  });

  it("a refund raises purchase.refunded with this refund, the total, the points taken back and the balance; a retry raises nothing more", async () => {
    const { app } = await startApp({ maxAgeHours: 1 });
    const id = await contact(app);
    const book = app.services.get(PURCHASES);
    await book.record({ contactId: id, orderId: "R-1", amountMinor: 10_000, currency: "EUR", occurredAt: new Date("2024-05-01T10:00:00Z") }); // old: no purchase event
    await book.refund("R-1", 2_500, "rf-1");
    await book.refund("R-1", 2_500, "rf-1");
    await book.refund("R-1", 7_500);
    const refunds = (await events(app)).filter((e) => e.name === "purchase.refunded");
    expect(refunds.map((e) => e.data)).toEqual([
      { orderId: "R-1", amount: "25.00", currency: "EUR", refundedTotal: "25.00", full: false, pointsReversed: 25, balance: 75, refundId: "rf-1" },
      { orderId: "R-1", amount: "75.00", currency: "EUR", refundedTotal: "100.00", full: true, pointsReversed: 75, balance: 0, refundId: null },
    ]);
    expect(await app.db.prisma.scheduledJob.count({ where: { name: "purchase.recorded" } })).toBe(0);
    expect(await app.db.prisma.ledgerEntry.count({ where: { kind: "reverse" } })).toBe(2);
  });
});
