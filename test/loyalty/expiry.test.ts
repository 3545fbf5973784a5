/**
 * Points expire per earning batch, oldest first, once however often the sweep runs; customers are
 * reminded once before, in their language, through the points-expiring flow.
 */
import { describe, expect, it } from "vitest";
import { LEDGER } from "../../src/loyalty/Ledger";
import { verifyLedger } from "../../src/loyalty/LoyaltyAccount";
import { useTestApps } from "../helpers/testApp";

const startApp = useTestApps();
const DAY = 86_400_000;

describe("points expiry", () => {
  it("expires what is left of each batch when its time comes, once, and keeps the ledger balanced", async () => {
    const t = await startApp();
    await t.say("amy", "/start"); // 50 welcome points, expiring in 365 days
    const { contactId } = await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: "amy" } });
    const ledger = t.app.services.get(LEDGER);
    await ledger.redeem(contactId, 20, { reason: "coffee", key: "r1" });
    expect((await t.app.sweeper.tick(new Date(Date.now() + 364 * DAY)))["points.expire"]).toBe(0);
    const later = new Date(Date.now() + 366 * DAY);
    expect((await t.app.sweeper.tick(later))["points.expire"]).toBe(30);
    expect((await t.app.sweeper.tick(later))["points.expire"]).toBe(0);
    const c = await t.app.db.prisma.contact.findUniqueOrThrow({ where: { id: contactId } });
    expect(c.points).toBe(0);
    expect((await verifyLedger(t.app.db)).mismatches).toEqual([]);
    expect((await t.history("amy")).filter((e) => e.kind === "points.expire").map((e) => (e.data as { points: number }).points)).toEqual([-30]);
  });

  it("reminds the customer once, in their language, before points expire", async () => {
    const t = await startApp({ locale: "ru" });
    await t.say("boris", "/start");
    await t.say("boris", "/balance"); // leave the menu: an event does not interrupt a conversation
    const soon = new Date(Date.now() + 340 * DAY); // within 30 days of expiry
    const before = t.channel.sent.length;
    expect((await t.app.sweeper.tick(soon))["points.remind"]).toBe(1);
    await t.app.jobs.runDue(); // the reminder is a job stored with the reminder mark
    await t.app.engine.idle();
    expect((await t.app.sweeper.tick(soon))["points.remind"]).toBe(0);
    const sent = t.channel.sent.slice(before).map((s) => s.message.text);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/50 баллов/);
  });
});

describe("points expiry reminders and tier-up congratulations survive a crash", () => {
  it("a reminder is stored as a job with the reminder mark, and a later instance sends it once", async () => {
    const t = await startApp();
    await t.say("cora", "/start");
    await t.say("cora", "/balance");
    const soon = new Date(Date.now() + 340 * DAY);
    // Counted before the sweep: the sweep starts the job runner at once (runJobsNow), which may send the
    // reminder before the checks below are done (seen once on PostgreSQL: counted after, it was missed).
    const before = t.channel.sent.length;
    expect((await t.app.sweeper.tick(soon))["points.remind"]).toBe(1);
    // The mark and the job were committed together: a crash now still reminds, from the stored job.
    expect(await t.app.db.prisma.scheduledJob.count({ where: { name: "loyalty.points_expiring" } })).toBe(1);
    expect(await t.app.db.prisma.ledgerEntry.count({ where: { remindedAt: { not: null } } })).toBe(1);
    await t.app.jobs.runDue();
    await t.app.jobs.runDue();
    await t.app.engine.idle();
    expect(t.channel.sent.slice(before).map((s) => s.message.text)).toEqual([expect.stringMatching(/50 of your points/)]);
    expect(await t.app.db.prisma.outboxMessage.count({ where: { status: { not: "sent" } } })).toBe(0); // nothing left to send
  });

  it("a tier-up stores its congratulation as a job in the points' transaction", async () => {
    const t = await startApp();
    await t.say("tim", "/start");
    await t.say("tim", "/balance");
    const { contactId } = await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: "tim" } });
    // Posted inside a transaction that is then rolled back: no points, and no congratulation either.
    await t.app.db.prisma.$transaction(async (tx) => {
      await t.app.services.get(LEDGER).postIn(tx as never, { contactId, kind: "earn", points: 5000, reason: "test", source: "test", key: "rolled-back" });
      throw new Error("rolled back");
    }).catch(() => undefined);
    expect(await t.app.db.prisma.scheduledJob.count({ where: { name: "loyalty.tier_changed" } })).toBe(0);
    await t.app.db.prisma.$transaction((tx) => t.app.services.get(LEDGER).postIn(tx as never, { contactId, kind: "earn", points: 5000, reason: "test", source: "test", key: "kept" }));
    const job = await t.app.db.prisma.scheduledJob.findFirstOrThrow({ where: { name: "loyalty.tier_changed" } });
    expect(job.status).toBe("pending"); // nobody announced it (postIn's caller "crashed" before announcing)
    const before = t.channel.sent.length;
    await t.app.jobs.runDue();
    await t.app.engine.idle();
    expect(t.channel.sent.slice(before)).toHaveLength(1);
  });
});
