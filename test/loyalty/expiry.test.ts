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
    await t.app.engine.idle();
    expect((await t.app.sweeper.tick(soon))["points.remind"]).toBe(0);
    const sent = t.channel.sent.slice(before).map((s) => s.message.text);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/50 баллов/);
  });
});
