import { newId } from "../../src/core/ids";
import type { Database } from "../../src/db/Database";

/** The instant the hand-computed data set is read at. */
export const NOW = new Date("2026-12-01T12:00:00Z");
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

/**
 * A fixed data set for audience selection (issue 15), small enough to compute by hand:
 *
 * | name | segment   | tier        | lang | points | last wrote | counted purchase | referrals (not reversed) | attributes            |
 * |------|-----------|-------------|------|--------|------------|------------------|--------------------------|-----------------------|
 * | ann  | champions | star        | en   | 1200   | 2 days     | yes              | 2 (dee, eve)             | city Warsaw, vip true |
 * | bo   | at_risk   | novice      | ru   | 50     | 90 days    | yes              | 0                        | city "warsaw"         |
 * | cy   | lost      | novice      | pl   | 0      | never      | no (refunded)    | 0 (bo: reversed)         | —                     |
 * | dee  | —         | connoisseur | en   | 300    | 10 days    | no               | 1 (cy)                   | city Krakow, age "34" |
 * | eve  | at_risk   | star        | vi   | 800    | 40 days    | yes              | 0                        | age 41                |
 * | fay  | at_risk   | novice      | en   | 0      | 1 day      | yes              | 0                        | — (erased: never)     |
 */
export async function seedAudience(db: Database): Promise<Record<string, string>> {
  const people = [
    { name: "ann", segment: "champions", tier: "star", locale: "en", points: 1200, wrote: 2, bought: 1, refunded: false, attributes: { city: "Warsaw", vip: true } },
    { name: "bo", segment: "at_risk", tier: "novice", locale: "ru", points: 50, wrote: 90, bought: 1, refunded: false, attributes: { city: "warsaw" } },
    { name: "cy", segment: "lost", tier: "novice", locale: "pl", points: 0, wrote: undefined, bought: 1, refunded: true, attributes: {} },
    { name: "dee", segment: null, tier: "connoisseur", locale: "en", points: 300, wrote: 10, bought: 0, refunded: false, attributes: { city: "Krakow", age: "34" } },
    { name: "eve", segment: "at_risk", tier: "star", locale: "vi", points: 800, wrote: 40, bought: 2, refunded: false, attributes: { age: 41 } },
    { name: "fay", segment: "at_risk", tier: "novice", locale: "en", points: 0, wrote: 1, bought: 1, refunded: false, attributes: {}, erased: true },
  ];
  const ids: Record<string, string> = {};
  for (const p of people) {
    const id = `c_${p.name}`;
    ids[p.name] = id;
    await db.prisma.contact.create({ data: { id, displayName: p.name, locale: p.locale, points: p.points, tier: p.tier, segment: p.segment, attributes: JSON.stringify(p.attributes), erasedAt: p.erased ? ago(1) : null } });
    await db.prisma.channelIdentity.create({ data: { channel: "test", externalId: p.name, contactId: id } });
    if (p.wrote !== undefined) {
      await db.prisma.interaction.create({ data: { id: newId(), contactId: id, occurredAt: ago(p.wrote), direction: "in", kind: "text", actor: "customer", text: "hi" } });
    }
    // A bot message much later than the customer's last one: only what the customer wrote counts as seen.
    await db.prisma.interaction.create({ data: { id: newId(), contactId: id, occurredAt: ago(0.5), direction: "out", kind: "text", actor: "bot", text: "news" } });
    for (let i = 0; i < p.bought; i++) {
      await db.prisma.purchase.create({ data: { id: newId(), contactId: id, orderId: `${p.name}-${i}`, amountMinor: 5000, currency: "EUR", refundedMinor: p.refunded ? 5000 : 0, occurredAt: ago(100 + i) } });
    }
  }
  const referral = async (referrer: string, friend: string, status: string) =>
    db.prisma.referral.create({ data: { id: newId(), referrerId: ids[referrer]!, friendId: ids[friend]!, code: referrer, status } });
  await referral("ann", "dee", "confirmed");
  await referral("ann", "eve", "pending");
  await referral("cy", "bo", "reversed");
  await referral("dee", "cy", "joined");
  return ids;
}
