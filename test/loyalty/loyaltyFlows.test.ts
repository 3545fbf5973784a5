/**
 * Loyalty and referrals as customers meet them, through the shipped flows and the real engine:
 * the tier congratulation after a purchase, a referral from link to paid reward, redeeming a reward.
 */
import { describe, expect, it } from "vitest";
import { LEDGER } from "../../src/loyalty/Ledger";
import { PURCHASES } from "../../src/loyalty/Purchases";
import { useTestApps } from "../helpers/testApp";

const startApp = useTestApps();
const DAY = 86_400_000;

async function contactOf(t: Awaited<ReturnType<typeof startApp>>, user: string): Promise<string> {
  return (await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { channel: "test", externalId: user } })).contactId;
}

describe("loyalty flows", () => {
  it("a purchase that lifts the customer to the next tier congratulates them in their language", async () => {
    const t = await startApp({ locale: "pl" });
    await t.say("kasia", "/start");
    await t.say("kasia", "/help"); // leaves the menu: a tier event does not interrupt a conversation
    const before = t.channel.sent.length;
    const result = await t.app.services.get(PURCHASES).record({ contactId: await contactOf(t, "kasia"), orderId: "PL-1", amountMinor: 434_800, currency: "pln", occurredAt: new Date() }); // 4,348 PLN at 0.23: 1,000 points
    expect(result).toMatchObject({ points: 1000, balance: 1050, tier: "connoisseur", duplicate: false });
    await t.app.jobs.runDue(); // the congratulation is a job stored with the points (the purchase's thanks is another)
    await t.app.engine.idle();
    const sent = t.channel.sent.slice(before).map((s) => s.message.text);
    expect(sent.filter((text) => text.includes("Koneser"))).toHaveLength(1);
    expect((await t.history("kasia")).map((e) => e.kind)).toEqual(expect.arrayContaining(["purchase", "points.earn", "loyalty.tier_changed"]));
  });

  it("a friend who opens the link is attributed; the referrer is paid once the hold has passed", async () => {
    const t = await startApp();
    await t.say("anna", "/start");
    const link = (await t.say("anna", "/refer")).map((m) => m.text).join("\n");
    const code = /ref-([A-Z0-9]+)/.exec(link)?.[1];
    expect(code).toMatch(/^[A-Z0-9]{6}$/);
    const welcome = (await t.say("bob", `/start ref-${code}`)).map((m) => m.text);
    expect(welcome[0]).toMatch(/friend's invitation/);
    await t.say("bob", "/balance"); // the friend is active
    await t.app.services.get(PURCHASES).record({ contactId: await contactOf(t, "bob"), orderId: "B-1", amountMinor: 2500, currency: "EUR", occurredAt: new Date() });
    const anna = await contactOf(t, "anna");
    expect((await t.app.sweeper.tick(new Date(Date.now() + 13 * DAY)))["referrals.confirm"]).toBe(0);
    expect((await t.app.sweeper.tick(new Date(Date.now() + 15 * DAY)))["referrals.confirm"]).toBe(1);
    expect((await t.app.db.prisma.contact.findUniqueOrThrow({ where: { id: anna } })).points).toBe(150); // 50 welcome + 100 referral
    const bob = await t.app.db.prisma.contact.findUniqueOrThrow({ where: { id: await contactOf(t, "bob") } });
    expect(bob.points).toBe(50 + 50 + 25); // welcome + friend bonus + purchase
    const stats = (await t.say("anna", "/refer")).map((m) => m.text).at(-1);
    expect(stats).toBe("1 friend joined so far. Rewards pending: 0. Points earned: 100.");
  });

  it("/rewards redeems a reward the balance covers, and refuses one it does not", async () => {
    const t = await startApp();
    await t.say("cleo", "/start");
    await t.app.services.get(LEDGER).earn(await contactOf(t, "cleo"), 200, { reason: "gift", source: "manual", key: "gift-cleo" });
    await t.say("cleo", "/rewards");
    const done = await t.say("cleo", { kind: "choice", value: "coffee", label: "Free coffee" });
    expect(done.map((m) => m.text)).toEqual(["Done! Free coffee is yours. You have 50 points left."]);
    await t.say("cleo", "/rewards");
    const refused = await t.say("cleo", { kind: "choice", value: "discount_10", label: "10% off your next order" });
    expect(refused[0]!.text).toMatch(/needs 500 points; you have 50/);
    expect((await t.app.db.prisma.contact.findUniqueOrThrow({ where: { id: await contactOf(t, "cleo") } })).points).toBe(50);
  });
});
