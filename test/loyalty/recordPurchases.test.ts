/**
 * PurchaseBook.recordMany (set-based, the CSV import's path) against record() one at a time: the
 * same inputs on two databases must leave the same rows (ids and clock times aside) and outcomes.
 */
import { describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids";
import type { App } from "../../src/app/createApp";
import { PURCHASES, type PurchaseInput } from "../../src/loyalty/Purchases";
import type { BatchOutcome } from "../../src/loyalty/recordPurchases";
import { verifyLedger } from "../../src/loyalty/LoyaltyAccount";
import { useTestApps } from "../helpers/testApp";

const startApp = useTestApps();
const ids = { ann: newId(), ben: newId(), cat: newId(), dot: newId(), ref: newId(), gone: newId() };
const at = new Date(Date.now() - 60_000);
const old = new Date("2024-03-01T10:00:00Z");

/** Contacts ann (novice, near connoisseur), ben (one earlier purchase), cat (a referred friend), dot (a stored tier behind its points), ref (cat's referrer). */
async function seed(app: App): Promise<void> {
  const p = app.db.prisma;
  await p.contact.create({ data: { id: ids.ann, displayName: "ann", points: 990, lifetimePoints: 990 } });
  await p.ledgerEntry.create({ data: { id: newId(), contactId: ids.ann, kind: "adjust", points: 990, remaining: 990, reason: "seed", source: "test", idempotencyKey: "seed:ann" } });
  await p.contact.create({ data: { id: ids.ben, displayName: "ben" } });
  await p.contact.create({ data: { id: ids.cat, displayName: "cat" } });
  await p.contact.create({ data: { id: ids.dot, displayName: "dot", points: 1200, lifetimePoints: 1200 } }); // tier still novice
  await p.ledgerEntry.create({ data: { id: newId(), contactId: ids.dot, kind: "adjust", points: 1200, remaining: 1200, reason: "seed", source: "test", idempotencyKey: "seed:dot" } });
  await p.contact.create({ data: { id: ids.ref, displayName: "ref" } });
  await p.referral.create({ data: { id: "r1", referrerId: ids.ref, friendId: ids.cat, code: "C", status: "joined" } });
  for (const [name, id] of Object.entries(ids)) if (name !== "gone") await p.channelIdentity.create({ data: { channel: "test", externalId: name, contactId: id } });
  await app.services.get(PURCHASES).record({ contactId: ids.ben, orderId: "B-0", amountMinor: 1000, currency: "EUR", occurredAt: old });
}

function inputs(): PurchaseInput[] {

  return [
    { contactId: ids.ann, orderId: "A-1", amountMinor: 2000, currency: "eur", occurredAt: at, items: [{ sku: "T", name: "Tea", quantity: 2, unitPriceMinor: 1000 }] }, // crosses to connoisseur
    { contactId: ids.ann, orderId: "A-2", amountMinor: 10_000, currency: "EUR", occurredAt: at }, // at ×1.25
    { contactId: ids.ann, orderId: "A-1", amountMinor: 2000, currency: "EUR", occurredAt: at }, // repeat within the batch
    { contactId: ids.ann, orderId: "A-1", amountMinor: 2001, currency: "EUR", occurredAt: at }, // conflict within the batch
    { contactId: ids.ben, orderId: "B-0", amountMinor: 1000, currency: "EUR", occurredAt: old }, // repeat of a stored order
    { contactId: ids.ann, orderId: "B-0", amountMinor: 1000, currency: "EUR", occurredAt: old }, // conflict with a stored order
    { contactId: ids.ben, orderId: "B-1", amountMinor: 50, currency: "EUR", occurredAt: at }, // 0 points; not ben's first
    { contactId: ids.ben, orderId: "B-2", amountMinor: 5000, currency: "ZZZ", occurredAt: at }, // currency refused
    { contactId: ids.ben, orderId: "B-2", amountMinor: 5000, currency: "USD", occurredAt: old }, // then the same order id, fine: a backfill, no event
    { contactId: ids.cat, orderId: "C-1", amountMinor: 3000, currency: "GBP", occurredAt: at }, // the referred friend's first purchase qualifies
    { contactId: ids.cat, orderId: "C-2", amountMinor: 3000, currency: "GBP", occurredAt: at },
    { contactId: ids.gone, orderId: "G-1", amountMinor: 3000, currency: "EUR", occurredAt: at }, // no such contact
    { contactId: ids.dot, orderId: "D-1", amountMinor: 100, currency: "PLN", occurredAt: at }, // 0 points: the stored tier stays
    { contactId: ids.dot, orderId: "D-2", amountMinor: 1000, currency: "EUR", occurredAt: at }, // points: the tier catches up
  ];
}

/** Everything the purchases wrote, without ids and clock times. */
async function state(app: App) {
  await app.engine.idle();
  const p = app.db.prisma;
  const entryKeys = new Map((await p.ledgerEntry.findMany()).map((e) => [e.id, e.idempotencyKey]));
  const clean = (data: string | null) => {
    const d = JSON.parse(data ?? "null") as Record<string, unknown> | null;
    if (d && typeof d.entryId === "string") d.entryId = entryKeys.get(d.entryId);
    return d;
  };
  const history = (await p.interaction.findMany({ orderBy: [{ contactId: "asc" }, { id: "asc" }] })).map((i) => [i.contactId, i.direction, i.kind, i.actor, i.text, clean(i.data)]);
  return {
    contacts: (await p.contact.findMany({ orderBy: { displayName: "asc" } })).map((c) => [c.displayName, c.points, c.lifetimePoints, c.tier]),
    purchases: (await p.purchase.findMany({ orderBy: { orderId: "asc" }, include: { items: true } }))
      .map((x) => [x.orderId, x.contactId, x.amountMinor, x.currency, x.pointsAwarded, x.occurredAt.getTime() === old.getTime(), x.items.map((i) => [i.position, i.sku, i.name, i.quantity, i.unitPriceMinor])]),
    ledger: (await p.ledgerEntry.findMany({ orderBy: { idempotencyKey: "asc" } })).map((e) => [e.contactId, e.kind, e.points, e.remaining, e.reason, e.source, e.idempotencyKey, e.expiresAt !== null, e.reversesId]),
    // The purchases' own rows in the order written; what the tier-change flows wrote (they run after
    // commit: after each order one at a time, after the batch here) as a set.
    history: history.filter((h) => OWN_KINDS.has(h[2] as string)),
    flows: history.filter((h) => !OWN_KINDS.has(h[2] as string)).map((h) => JSON.stringify(h)).sort(),
    // Keys of work that flows schedule name their run (a new id on each database): ids masked, then sorted.
    jobs: (await p.scheduledJob.findMany({ where: { name: { not: "loyalty.tier_changed" } } }))
      .map((j) => [j.contactId, j.kind, j.name, j.status, j.idempotencyKey.replace(/[0-9a-z]{13}[0-9a-f]{8}/g, "<id>"), clean(j.data)])
      .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    referrals: (await p.referral.findMany()).map((r) => [r.id, r.status, r.purchaseId !== null]),
    verify: (await verifyLedger(app.db)).mismatches,
  };
}

const OWN_KINDS = new Set(["purchase", "points.earn", "loyalty.tier_changed", "referral.pending"]);

function describeOutcome(o: BatchOutcome): string {
  return o.kind === "rejected" ? `rejected ${o.error.constructor.name}` : o.kind;
}

describe("PurchaseBook.recordMany", () => {
  it("leaves the same rows, tier changes, events and outcomes as record() one at a time", async () => {
    const one = await startApp();
    const many = await startApp();
    await seed(one.app);
    await seed(many.app);
    // A tier change asks the scheduler to run its job at once, which would render the congratulation
    // (with the balance of that moment) between one purchase and the next in `one` but after the batch
    // in `many`. Hold the jobs until both have recorded everything, then run them explicitly below.
    const held = [one, many].map((t) => { const run = t.app.jobs.runDue.bind(t.app.jobs); t.app.jobs.runDue = async () => 0; return () => { t.app.jobs.runDue = run; }; });
    const expected: string[] = [];
    for (const input of inputs()) {
      try {
        expected.push((await one.app.services.get(PURCHASES).record(input)).duplicate ? "duplicate" : "imported");
      } catch (error) {
        expected.push(`rejected ${(error as Error).constructor.name}`);
      }
    }
    const outcomes = await many.app.services.get(PURCHASES).recordMany(inputs());
    expect(outcomes.map(describeOutcome)).toEqual(expected);
    expect(expected).toEqual(["imported", "imported", "duplicate", "rejected OrderConflictError", "duplicate", "rejected OrderConflictError", "imported",
      "rejected UnsupportedCurrencyError", "imported", "imported", "imported", "rejected ContactNotFoundError", "imported", "imported"]);
    // Both raise loyalty.tier_changed as stored work (since the outbox, record() too): each tier change
    // has its job, with the data the congratulation needs...
    const tierJobs = await many.app.db.prisma.scheduledJob.findMany({ where: { name: "loyalty.tier_changed" }, orderBy: { contactId: "asc" } });
    expect(tierJobs.map((j) => [j.contactId, JSON.parse(j.data!)])).toEqual([
      [ids.ann, { tier: "connoisseur", from: "novice", multiplier: 1.25 }], [ids.dot, { tier: "connoisseur", from: "novice", multiplier: 1.25 }],
    ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
    expect(new Set(tierJobs.map((j) => j.idempotencyKey)).size).toBe(2);
    // ...and once the running bot has run the due work, the databases hold the same.
    for (const release of held) release();
    await one.app.jobs.runDue();
    expect(await many.app.jobs.runDue()).toBeGreaterThanOrEqual(2);
    await Promise.all([one.app.engine.idle(), many.app.engine.idle()]);
    const a = await state(one.app);
    const b = await state(many.app);
    expect(b).toEqual(a);
    const said = (t: typeof one) => t.channel.sent.map((x) => `${x.to.externalUserId}: ${x.message.text}`).sort();
    expect(said(many)).toEqual(said(one));
    expect(said(one).filter((x) => x.startsWith("ann:")).length).toBeGreaterThan(0); // the congratulation reached ann
    // The facts the comparison rests on, so it cannot pass on two equally empty databases.
    expect(a.contacts).toContainEqual(["ann", 990 + 20 + 125, 990 + 20 + 125, "connoisseur"]);
    expect(a.contacts).toContainEqual(["dot", 1210, 1210, "connoisseur"]);
    expect(a.history.filter((h) => h[2] === "loyalty.tier_changed")).toHaveLength(2);
    expect(a.flows.length).toBeGreaterThan(0); // the congratulations ran
    expect(a.jobs.filter((j) => j[2] === "purchase.recorded").map((j) => (j[5] as { orderId: string; firstPurchase: boolean }))).toEqual(expect.arrayContaining([
      expect.objectContaining({ orderId: "A-1", firstPurchase: true }), expect.objectContaining({ orderId: "B-1", firstPurchase: false }), expect.objectContaining({ orderId: "C-2", firstPurchase: false }),
    ]));
    expect(a.jobs.some((j) => (j[5] as { orderId?: string }).orderId === "B-2")).toBe(false);
    expect(a.referrals).toEqual([["r1", "pending", true]]);
    expect(a.verify).toEqual([]);
  }, 120_000);

  it("goes one at a time for a batch with an order stored before its award, completing it as record() does", async () => {
    const { app } = await startApp();
    await seed(app);
    await app.db.prisma.purchase.create({ data: { id: newId(), contactId: ids.ben, orderId: "L-1", amountMinor: 4000, currency: "EUR", pointsAwarded: 40, occurredAt: old } });
    const outcomes = await app.services.get(PURCHASES).recordMany([
      { contactId: ids.ben, orderId: "B-9", amountMinor: 1000, currency: "EUR", occurredAt: old },
      { contactId: ids.ben, orderId: "L-1", amountMinor: 4000, currency: "EUR", occurredAt: old },
    ]);
    expect(outcomes.map(describeOutcome)).toEqual(["imported", "duplicate"]);
    expect((await app.db.prisma.contact.findUniqueOrThrow({ where: { id: ids.ben } })).points).toBe(10 + 10 + 40);
    expect(await app.db.prisma.ledgerEntry.count({ where: { idempotencyKey: "purchase:L-1" } })).toBe(1);
    expect((await verifyLedger(app.db)).mismatches).toEqual([]);
  });

  it("writes batches of any size with a few statement texts (SQLite prepares and keeps one statement per text; issue 17)", async () => {
    const { app } = await startApp();
    const people = Array.from({ length: 40 }, (_, n) => `batch-${n}`);
    await app.db.prisma.contact.createMany({ data: people.map((id) => ({ id, displayName: id })) });
    const texts = new Set<string>();
    const run = app.db.run.bind(app.db);
    app.db.run = (plan, options) => run((function* () {
      let step = plan.next();
      while (!step.done) { texts.add(step.value.sql); step = plan.next(yield step.value); }
      return step.value;
    })(), options);
    let order = 0;
    for (let size = 1; size <= 70; size++) {
      const batch = Array.from({ length: size }, (_, k): PurchaseInput => ({ contactId: people[k % people.length]!, orderId: `S-${order++}`, amountMinor: 1000, currency: "EUR", occurredAt: old }));
      expect((await app.services.get(PURCHASES).recordMany(batch)).every((o) => o.kind === "imported")).toBe(true);
    }
    // One per batch size (~280 texts) before; now lists of 8, 16, 32, 64, 128 and inserts of 1, 2, 4, …, 64 rows.
    expect(texts.size).toBeLessThanOrEqual(40);
    expect(await app.db.prisma.purchase.count()).toBe(order);
    expect((await verifyLedger(app.db)).mismatches).toEqual([]);
  });
});
