/**
 * Purchases and refunds: points once per order id; a retried refund (also a full one) is
 * recognised as a repeat rather than refused, and takes points back once.
 */
import { describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids";
import { PURCHASES } from "../../src/loyalty/Purchases";
import { verifyLedger } from "../../src/loyalty/LoyaltyAccount";
import { useTestApps } from "../helpers/testApp";

const startApp = useTestApps();

describe("PurchaseBook", () => {
  it("a retried full refund is a repeat, not an error, and reverses once", async () => {
    const { app } = await startApp();
    const id = newId();
    await app.db.prisma.contact.create({ data: { id } });
    const book = app.services.get(PURCHASES);
    await book.record({ contactId: id, orderId: "F-1", amountMinor: 10_000, currency: "EUR", occurredAt: new Date() });
    const first = await book.refund("F-1", 10_000);
    const again = await book.refund("F-1", 10_000);
    expect([first.duplicate, first.reversed, first.balance]).toEqual([false, 100, 0]);
    expect([again.duplicate, again.balance]).toEqual([true, 0]);
    expect(await app.db.prisma.ledgerEntry.count({ where: { contactId: id, kind: "reverse" } })).toBe(1);
    await expect(book.refund("F-1", 1)).rejects.toThrow(/more than the order/);
    expect((await verifyLedger(app.db)).mismatches).toEqual([]);
  });

  it("concurrent retries of one purchase award its points once", async () => {
    const { app } = await startApp();
    const id = newId();
    await app.db.prisma.contact.create({ data: { id } });
    const book = app.services.get(PURCHASES);
    const results = await Promise.all(Array.from({ length: 10 }, () => book.record({ contactId: id, orderId: "C-1", amountMinor: 5_000, currency: "EUR", occurredAt: new Date() })));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect((await app.db.prisma.contact.findUniqueOrThrow({ where: { id } })).points).toBe(50);
    expect(await app.db.prisma.purchase.count()).toBe(1);
  });

  it("concurrent partial refunds of one order take turns: none is lost and the total never exceeds the order", async () => {
    const { app } = await startApp();
    const id = newId();
    await app.db.prisma.contact.create({ data: { id } });
    const book = app.services.get(PURCHASES);
    await book.record({ contactId: id, orderId: "P-1", amountMinor: 10_000, currency: "EUR", occurredAt: new Date() });
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => book.refund("P-1", 2_000, `r${i}`)));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(5);
    expect((await app.db.prisma.purchase.findUniqueOrThrow({ where: { orderId: "P-1" } })).refundedMinor).toBe(10_000);
    expect((await app.db.prisma.contact.findUniqueOrThrow({ where: { id } })).points).toBe(0);
    expect((await verifyLedger(app.db)).mismatches).toEqual([]);
  });
});
