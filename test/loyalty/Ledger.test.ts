/**
 * The ledger's guarantees on the real database (both, in CI): exact balances under concurrency,
 * one entry per idempotency key, no overdraft, oldest-first spending, tiers, history rows, verify.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids";
import { Ledger } from "../../src/loyalty/Ledger";
import { InsufficientPointsError } from "../../src/loyalty/errors";
import { accountSummary, verifyLedger } from "../../src/loyalty/LoyaltyAccount";
import { loadRules } from "../../src/loyalty/loadRules";
import type { Database } from "../../src/db/Database";
import { ROOT, useTestApps } from "../helpers/testApp";

const startApp = useTestApps();
const rules = loadRules(join(ROOT, "flows"));

async function contact(db: Database): Promise<string> {
  const id = newId();
  await db.prisma.contact.create({ data: { id, displayName: "Test" } });
  return id;
}

describe("Ledger", () => {
  it("1,000 concurrent awards to one contact end with the exact balance", async () => {
    const { app } = await startApp();
    const ledger = new Ledger(app.db, () => rules);
    const id = await contact(app.db);
    await Promise.all(Array.from({ length: 1000 }, (_, i) => ledger.earn(id, (i % 7) + 1, { reason: "test", source: "manual", key: `award-${i}` })));
    const expected = Array.from({ length: 1000 }, (_, i) => (i % 7) + 1).reduce((a, b) => a + b, 0);
    const c = await app.db.prisma.contact.findUniqueOrThrow({ where: { id } });
    expect(c.points).toBe(expected);
    expect(c.lifetimePoints).toBe(expected);
    expect(await app.db.prisma.ledgerEntry.count({ where: { contactId: id } })).toBe(1000);
    expect((await verifyLedger(app.db)).mismatches).toEqual([]);
  }, 120_000);

  it("the same idempotency key sent 50 times concurrently makes one entry", async () => {
    const { app } = await startApp();
    const ledger = new Ledger(app.db, () => rules);
    const id = await contact(app.db);
    const results = await Promise.all(Array.from({ length: 50 }, () => ledger.earn(id, 40, { reason: "order", source: "purchase", key: "order-A1" })));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.entry.id)).size).toBe(1);
    expect((await app.db.prisma.contact.findUniqueOrThrow({ where: { id } })).points).toBe(40);
    expect(await app.db.prisma.interaction.count({ where: { contactId: id, kind: "points.earn" } })).toBe(1);
  }, 60_000);

  it("concurrent redeems never overdraw", async () => {
    const { app } = await startApp();
    const ledger = new Ledger(app.db, () => rules);
    const id = await contact(app.db);
    await ledger.earn(id, 500, { reason: "seed", source: "manual", key: "seed" });
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => ledger.redeem(id, 30, { reason: "coffee", key: `redeem-${i}` })));
    const ok = outcomes.filter((o) => o.status === "fulfilled").length;
    expect(ok).toBe(16); // 16 × 30 = 480 ≤ 500 < 17 × 30
    expect(outcomes.filter((o) => o.status === "rejected").every((o) => (o as PromiseRejectedResult).reason instanceof InsufficientPointsError)).toBe(true);
    const c = await app.db.prisma.contact.findUniqueOrThrow({ where: { id } });
    expect(c.points).toBe(20);
    expect(c.lifetimePoints).toBe(500); // spending keeps the tier basis
    expect((await verifyLedger(app.db)).mismatches).toEqual([]);
  }, 60_000);

  it("spends the oldest batch first, and a reversal never takes the balance below zero", async () => {
    const { app } = await startApp();
    const ledger = new Ledger(app.db, () => rules);
    const id = await contact(app.db);
    const a = await ledger.earn(id, 100, { reason: "a", source: "purchase", key: "a" });
    const b = await ledger.earn(id, 100, { reason: "b", source: "purchase", key: "b" });
    await ledger.redeem(id, 150, { reason: "r", key: "r" });
    const remaining = async (entryId: string) => (await app.db.prisma.ledgerEntry.findUniqueOrThrow({ where: { id: entryId } })).remaining;
    expect([await remaining(a.entry.id), await remaining(b.entry.id)]).toEqual([0, 50]);
    const reversed = await ledger.reverse(a.entry.id, { reason: "refund", source: "refund", key: "refund-a" });
    expect(reversed?.entry.points).toBe(-50); // only 50 left to take back
    expect(reversed?.balance).toBe(0);
    expect((await verifyLedger(app.db)).mismatches).toEqual([]);
  });

  it("crossing a threshold changes the tier once, records it and tells the listener", async () => {
    const { app } = await startApp();
    const changes: unknown[] = [];
    const ledger = new Ledger(app.db, () => rules, (contactId, change) => changes.push({ contactId, ...change }));
    const id = await contact(app.db);
    await ledger.earn(id, 999, { reason: "x", source: "purchase", key: "x" });
    const up = await ledger.earn(id, 1, { reason: "y", source: "purchase", key: "y" });
    expect(up.tier).toBe("connoisseur");
    expect(changes).toEqual([{ contactId: id, from: "novice", to: "connoisseur" }]);
    const summary = await accountSummary(app.db, rules, id);
    expect(summary).toMatchObject({ points: 1000, tier: "connoisseur", next: { tier: "star", needed: 4000 } });
    expect(summary!.entries.map((e) => e.points)).toEqual([1, 999]);
    expect(await app.db.prisma.interaction.count({ where: { contactId: id, kind: "loyalty.tier_changed" } })).toBe(1);
  });

  it("verify reports a contact whose balance was changed outside the ledger", async () => {
    const { app } = await startApp();
    const ledger = new Ledger(app.db, () => rules);
    const id = await contact(app.db);
    await ledger.earn(id, 10, { reason: "x", source: "manual", key: "x" });
    await app.db.prisma.contact.update({ where: { id }, data: { points: 15 } });
    expect((await verifyLedger(app.db)).mismatches).toEqual([{ contactId: id, balance: 15, ledgerSum: 10 }]);
  });
});
