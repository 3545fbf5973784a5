/**
 * Referrals on the real database: first-touch attribution and its refusals, the reward's hold,
 * confirmation and cap, abuse holds and review, reversal on a refunded qualifying purchase, and the
 * A→B→C chain paying each referrer once.
 */
import { describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids";
import { silentLogger } from "../../src/core/log";
import type { Database } from "../../src/db/Database";
import { Ledger } from "../../src/loyalty/Ledger";
import { PurchaseBook } from "../../src/loyalty/Purchases";
import { DEFAULT_RULES, type LoyaltyRules } from "../../src/loyalty/rules";
import { Referrals } from "../../src/referrals/Referrals";
import { useTestApps } from "../helpers/testApp";
import { testDialect } from "../helpers/database";

const startApp = useTestApps();

type ReferralRules = LoyaltyRules["referral"];

async function setup(referral: Partial<ReferralRules> = {}) {
  const { app } = await startApp();
  const rules: LoyaltyRules = { ...DEFAULT_RULES, referral: { ...DEFAULT_RULES.referral, qualifies_on: "join", hold_days: 0, ...referral, abuse: { ...DEFAULT_RULES.referral.abuse, require_friend_activity: false, ...referral.abuse } } };
  const ledger = new Ledger(app.db, () => rules);
  const referrals = new Referrals(app.db, ledger, () => rules, silentLogger);
  const purchases = new PurchaseBook(app.db, ledger, () => rules, referrals.purchaseHooks());
  return { db: app.db, rules, ledger, referrals, purchases };
}

/** A contact who has sent `messages` inbound messages (a new friend has sent exactly one: /start ref-…). */
async function contact(db: Database, messages = 1): Promise<string> {
  const id = newId();
  await db.prisma.contact.create({ data: { id, displayName: "C" } });
  for (let i = 0; i < messages; i++) await db.prisma.interaction.create({ data: { id: newId(), contactId: id, occurredAt: new Date(), direction: "in", kind: "text", actor: "customer" } });
  return id;
}

const points = async (db: Database, id: string) => (await db.prisma.contact.findUniqueOrThrow({ where: { id } })).points;

describe("Referrals", () => {
  it("a chain A→B→C rewards each referrer once, however often the sweep runs", async () => {
    const { db, referrals } = await setup();
    const a = await contact(db);
    const b = await contact(db);
    const c = await contact(db);
    expect(await referrals.attribute(b, await referrals.codeFor(a))).toMatchObject({ status: "joined", referrerId: a });
    expect(await referrals.attribute(c, await referrals.codeFor(b))).toMatchObject({ status: "joined", referrerId: b });
    expect(await referrals.confirmDue()).toBe(2);
    expect(await referrals.confirmDue()).toBe(0);
    expect(await points(db, a)).toBe(100); // referrer bonus
    expect(await points(db, b)).toBe(150); // friend bonus 50 + referrer bonus 100
    expect(await points(db, c)).toBe(50);
    expect(await referrals.stats(a)).toEqual({ joined: 1, pending: 0, earned: 100 });
  });

  it("refuses self-referral, cycles, unknown codes, existing contacts and a second attribution, recording why", async () => {
    const { db, referrals } = await setup();
    const a = await contact(db);
    const b = await contact(db);
    expect(await referrals.attribute(a, await referrals.codeFor(a))).toEqual({ status: "rejected", reason: "self_referral" });
    expect(await referrals.attribute(b, await referrals.codeFor(a))).toMatchObject({ status: "joined" });
    expect(await referrals.attribute(a, await referrals.codeFor(b))).toEqual({ status: "rejected", reason: "cycle" });
    expect(await referrals.attribute(b, await referrals.codeFor(a))).toEqual({ status: "rejected", reason: "already_attributed" });
    expect(await referrals.attribute(await contact(db), "NOSUCH")).toEqual({ status: "rejected", reason: "unknown_code" });
    const regular = await contact(db, 5); // has talked to the bot before: first touch was not the link
    expect(await referrals.attribute(regular, await referrals.codeFor(a))).toEqual({ status: "rejected", reason: "existing_contact" });
    const reasons = await db.prisma.interaction.findMany({ where: { kind: "referral.rejected" }, select: { text: true } });
    expect(reasons.map((r) => r.text).sort()).toEqual(["already_attributed", "cycle", "existing_contact", "self_referral", "unknown_code"]);
    expect(await db.prisma.referral.count()).toBe(1);
  });

  it("holds the reward for the hold period, then confirms it", async () => {
    const { db, referrals } = await setup({ hold_days: 14 });
    const a = await contact(db);
    await referrals.attribute(await contact(db), await referrals.codeFor(a));
    expect(await referrals.confirmDue(new Date(Date.now() + 13 * 86_400_000))).toBe(0);
    expect(await referrals.stats(a)).toMatchObject({ pending: 1, earned: 0 });
    expect(await referrals.confirmDue(new Date(Date.now() + 15 * 86_400_000))).toBe(1);
    expect(await points(db, a)).toBe(100);
  });

  it("caps rewards per period", async () => {
    const { db, referrals } = await setup({ cap: { rewards: 2, per: "month" } });
    const a = await contact(db);
    const code = await referrals.codeFor(a);
    for (let i = 0; i < 3; i++) await referrals.attribute(await contact(db), code);
    await referrals.confirmDue();
    expect(await points(db, a)).toBe(200);
    expect((await db.prisma.referral.findMany({ where: { referrerId: a } })).map((r) => r.status).sort()).toEqual(["capped", "confirmed", "confirmed"]);
  });

  it("holds a burst of sign-ups on one code for review; approval puts it back on the path to payment", async () => {
    const { db, referrals } = await setup({ abuse: { burst_signups: 2, burst_minutes: 60, require_friend_activity: false } });
    const a = await contact(db);
    const code = await referrals.codeFor(a);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await referrals.attribute(await contact(db), code));
    expect(results.map((r) => r.status)).toEqual(["joined", "joined", "held"]);
    const held = await db.prisma.referral.findFirstOrThrow({ where: { status: "held" } });
    expect(held.reason).toBe("burst");
    await referrals.confirmDue();
    expect(await points(db, a)).toBe(200);
    expect(await referrals.review(held.id, true, "tester")).toBe("pending"); // held before qualifying: back on the normal path
    expect(await referrals.confirmDue()).toBe(1);
    expect(await points(db, a)).toBe(300);
  });

  it("holds a friend who never wrote again; rejecting it pays nothing", async () => {
    const { db, referrals } = await setup({ abuse: { burst_signups: 5, burst_minutes: 60, require_friend_activity: true } });
    const a = await contact(db);
    await referrals.attribute(await contact(db, 1), await referrals.codeFor(a));
    expect(await referrals.confirmDue()).toBe(0);
    const held = await db.prisma.referral.findFirstOrThrow({});
    expect([held.status, held.reason]).toEqual(["held", "inactive_friend"]);
    expect(await referrals.review(held.id, false, "tester")).toBe("reversed");
    expect(await points(db, a)).toBe(0);
  });

  it("on first purchase: qualifies then; a full refund of that purchase reverses the paid reward by a ledger entry", async () => {
    const { db, referrals, purchases } = await setup({ qualifies_on: "first_purchase" });
    const a = await contact(db);
    const b = await contact(db);
    await referrals.attribute(b, await referrals.codeFor(a));
    expect(await referrals.confirmDue()).toBe(0); // not qualified yet
    await purchases.record({ contactId: b, orderId: "o-1", amountMinor: 2000, currency: "EUR", occurredAt: new Date() });
    expect(await referrals.confirmDue()).toBe(1);
    expect(await points(db, a)).toBe(100);
    await purchases.refund("o-1", 2000);
    expect(await points(db, a)).toBe(0);
    expect((await db.prisma.referral.findFirstOrThrow({})).status).toBe("reversed");
    expect(await db.prisma.ledgerEntry.count({ where: { contactId: a, kind: "reverse" } })).toBe(1);
  });

  it("a refund of the qualifying purchase before the reward is paid holds the referral for review", async () => {
    const { db, referrals, purchases } = await setup({ qualifies_on: "first_purchase", hold_days: 14 });
    const a = await contact(db);
    const b = await contact(db);
    await referrals.attribute(b, await referrals.codeFor(a));
    await purchases.record({ contactId: b, orderId: "o-2", amountMinor: 1000, currency: "EUR", occurredAt: new Date() });
    await purchases.refund("o-2", 1000);
    const r = await db.prisma.referral.findFirstOrThrow({});
    expect([r.status, r.reason]).toEqual(["held", "qualifying_purchase_refunded"]);
    expect(await referrals.confirmDue(new Date(Date.now() + 15 * 86_400_000))).toBe(0);
    expect(await points(db, a)).toBe(0);
  });
});

describe(`Referrals under concurrency (${testDialect})`, () => {
  it("8 friends signing up at once with burst_signups: 2: two join, six are held", async () => {
    const { db, referrals } = await setup({ qualifies_on: "first_purchase", abuse: { burst_signups: 2, burst_minutes: 60, require_friend_activity: false } });
    const a = await contact(db);
    const code = await referrals.codeFor(a);
    const friends = await Promise.all(Array.from({ length: 8 }, () => contact(db)));
    const outcomes = await Promise.all(friends.map((f) => referrals.attribute(f, code)));
    expect(outcomes.map((o) => o.status).sort()).toEqual(["held", "held", "held", "held", "held", "held", "joined", "joined"]);
    const rows = await db.prisma.referral.findMany({ where: { referrerId: a } });
    expect(rows.filter((r) => r.status === "held").every((r) => r.reason === "burst")).toBe(true);
    expect(await db.prisma.interaction.count({ where: { contactId: a, kind: "referral.friend_joined" } })).toBe(8);
  });

  it("8 friends qualifying at once with a cap of 2 per month: two rewards pending, six capped", async () => {
    const { db, referrals } = await setup({ qualifies_on: "first_purchase", cap: { rewards: 2, per: "month" }, hold_days: 14, abuse: { burst_signups: 100, burst_minutes: 60, require_friend_activity: false } });
    const a = await contact(db);
    const code = await referrals.codeFor(a);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await referrals.attribute(await contact(db), code);
      if (r.status === "joined") ids.push(r.referralId);
    }
    await Promise.all(ids.map((id) => referrals.qualify(id, undefined))); // eight first purchases at once
    const statuses = (await db.prisma.referral.findMany({ where: { referrerId: a } })).map((r) => r.status).sort();
    expect(statuses).toEqual(["capped", "capped", "capped", "capped", "capped", "capped", "pending", "pending"]);
  });
});
