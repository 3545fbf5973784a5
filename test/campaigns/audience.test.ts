import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectAudience, attributesMatch } from "../../src/campaigns/audience";
import { audienceSchema } from "../../src/campaigns/schema";
import { startTestApp, type TestApp } from "../helpers/testApp";
import { NOW, seedAudience } from "./fixture";

// Issue 15: audience selection against a fixed data set (test/campaigns/fixture.ts has the table
// the expectations below were computed from by hand).

let t: TestApp;
let ids: Record<string, string>;
beforeAll(async () => {
  t = await startTestApp();
  ids = await seedAudience(t.app.db);
});
afterAll(async () => { await t.close(); });

async function names(audience: unknown): Promise<string[]> {
  const chosen = await selectAudience(t.app.db, audienceSchema.parse(audience), NOW);
  const byId = Object.fromEntries(Object.entries(ids).map(([n, id]) => [id, n]));
  return chosen.map((id) => byId[id] ?? id).sort();
}

describe("selectAudience", () => {
  it.each([
    ["everyone (erased people never)", {}, ["ann", "bo", "cy", "dee", "eve"]],
    ["one segment", { segment: "at_risk" }, ["bo", "eve"]],
    ["segments minus a language", { segment: ["at_risk", "lost"], exclude: { language: "vi" } }, ["bo", "cy"]],
    ["tiers and a points range", { tier: ["star", "connoisseur"], points: { min: 500 } }, ["ann", "eve"]],
    ["points at most", { points: { max: 50 } }, ["bo", "cy"]],
    ["language", { language: ["en", "ru"] }, ["ann", "bo", "dee"]],
    ["last seen within 30 days (what they wrote, not what the bot sent)", { last_seen: "30d" }, ["ann", "dee"]],
    ["inactive for 30 days (never written counts)", { inactive_for: "30d" }, ["bo", "cy", "eve"]],
    ["seen within 60 days but not the last 30", { last_seen: "60d", inactive_for: "30d" }, ["eve"]],
    ["has purchased (a fully refunded order does not count)", { has_purchased: true }, ["ann", "bo", "eve"]],
    ["has not purchased", { has_purchased: false }, ["cy", "dee"]],
    ["referred at least one friend (reversed ones do not count)", { referrals: { min: 1 } }, ["ann", "dee"]],
    ["referred nobody", { referrals: { max: 0 } }, ["bo", "cy", "eve"]],
    ["an attribute, case-insensitive", { attributes: { city: "Warsaw" } }, ["ann", "bo"]],
    ["an attribute in a list", { attributes: { city: { in: ["krakow", "gdansk"] } } }, ["dee"]],
    ["a number attribute (also written as text)", { attributes: { age: { min: 30, max: 40 } } }, ["dee"]],
    ["an attribute that exists", { attributes: { vip: { exists: true } } }, ["ann"]],
    ["explicit contacts by id and channel:id", { contacts: ["test:ann", "c_dee"] }, ["ann", "dee"]],
    ["explicit contacts with a filter", { contacts: ["test:ann", "test:bo"], has_purchased: true, exclude: { attributes: { vip: true } } }, ["bo"]],
    ["exclusions by segment and contact", { exclude: { segment: "at_risk", contacts: ["test:cy"] } }, ["ann", "dee"]],
  ])("%s", async (_name, audience, expected) => {
    expect(await names(audience)).toEqual(expected);
  });

  it("an explicit contact that does not exist is an error, not a silent miss", async () => {
    await expect(names({ contacts: ["test:nobody"] })).rejects.toThrow(/no contact matches "test:nobody"/);
  });

  it("leaves out the console playground's test customers unless they are listed", async () => {
    await t.app.db.prisma.contact.create({ data: { id: "c_pg", displayName: "pg", locale: "en", segment: "at_risk" } });
    await t.app.db.prisma.channelIdentity.create({ data: { channel: "webchat", externalId: "pg-0123456789abcdef", contactId: "c_pg" } });
    try {
      expect(await names({ segment: "at_risk" })).toEqual(["bo", "eve"]);
      expect(await names({ language: "en", exclude: { segment: "champions" } })).toEqual(["dee"]);
      expect(await names({ contacts: ["webchat:pg-0123456789abcdef", "test:bo"] })).toEqual(["bo", "c_pg"]);
    } finally {
      await t.app.db.prisma.contact.delete({ where: { id: "c_pg" } });
    }
  });
});

describe("attributesMatch", () => {
  it("compares texts without case, numbers written as text as numbers, and never matches a missing attribute", () => {
    expect(attributesMatch({ city: "Warsaw " }, { city: "warsaw" })).toBe(true);
    expect(attributesMatch({ size: "42" }, { size: 42 })).toBe(true);
    expect(attributesMatch({}, { city: "warsaw" })).toBe(false);
    expect(attributesMatch({}, { vip: { exists: false } })).toBe(true);
    expect(attributesMatch({ age: "n/a" }, { age: { min: 1 } })).toBe(false);
  });
});
