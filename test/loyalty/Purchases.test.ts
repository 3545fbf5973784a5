/**
 * Purchases and refunds: points once per order id; a retried refund (also a full one) is
 * recognised as a repeat rather than refused, and takes points back once.
 */
import { describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids";
import { PURCHASES } from "../../src/loyalty/Purchases";
import { verifyLedger } from "../../src/loyalty/LoyaltyAccount";
import { recordInteraction } from "../../src/history/recordInteraction";
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

  it("recognises a retry of a refund stored under the old key (refund:<order>:<refund id>), but not another order's refund that shares it", async () => {
    const { app } = await startApp();
    const id = newId();
    await app.db.prisma.contact.create({ data: { id } });
    const book = app.services.get(PURCHASES);
    await book.record({ contactId: id, orderId: "L", amountMinor: 10_000, currency: "EUR", occurredAt: new Date() });
    await book.record({ contactId: id, orderId: "L:1", amountMinor: 10_000, currency: "EUR", occurredAt: new Date() });
    // As a release before the key change stored a refund of 10.00 on order L with refund id "1:x":
    // the history row and purchase total, but (killed before) no ledger reversal yet.
    await app.db.prisma.purchase.update({ where: { orderId: "L" }, data: { refundedMinor: 1_000 } });
    await recordInteraction(app.db.prisma, id, { direction: "event", kind: "refund", actor: "system", text: "order L", dedupeKey: "refund:L:1:x", data: { orderId: "L", amountMinor: 1_000, refundedMinor: 1_000, points: 10 } });

    const retry = await book.refund("L", 1_000, "1:x");
    expect(retry).toMatchObject({ duplicate: true, reversed: 10, refundedMinor: 1_000 }); // completed under its old key
    expect(await app.db.prisma.ledgerEntry.findUnique({ where: { idempotencyKey: "refund:L:1:x" } })).toMatchObject({ kind: "reverse", points: -10 });
    const other = await book.refund("L:1", 2_000, "x"); // the same legacy key, another order: a refund of its own
    expect(other).toMatchObject({ duplicate: false, reversed: 20, refundedMinor: 2_000 });
    expect((await book.refund("L:1", 2_000, "x")).duplicate).toBe(true);
    expect(await app.db.prisma.ledgerEntry.count({ where: { kind: "reverse" } })).toBe(2);
    expect((await verifyLedger(app.db)).mismatches).toEqual([]);
  });
});
