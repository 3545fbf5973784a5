import { Writable } from "node:stream";
import { describe, expect, it, afterAll } from "vitest";
import { runContactsHistory } from "../../src/cli/contactsHistory";
import { openDatabase } from "../../src/db/Database";
import { migrate } from "../../src/db/migrate";
import { runCli } from "../helpers/cli";
import { dropDatabase, freshDatabaseUrl } from "../helpers/database";

const urls: string[] = [];
afterAll(async () => { for (const u of urls) await dropDatabase(u); });

describe("rapport contacts history", () => {
  it("prints the timeline by channel:id or contact id, as text or JSON", async () => {
    const url = await freshDatabaseUrl();
    urls.push(url);
    const env = { DATABASE_URL: url };
    await runCli(["chat", "--user", "eve"], { input: "/help\n", env });
    const json = await runCli(["contacts", "history", "terminal:eve", "--json"], { env });
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.contact.identities).toEqual(["terminal:eve"]);
    expect(parsed.entries.map((e: { direction: string; kind: string }) => `${e.direction}:${e.kind}`)).toEqual(["in:command", "event:flow.start", "out:text", "event:flow.end"]);
    expect(parsed.entries[2].text).toContain("/language");
    const text = await runCli(["contacts", "history", parsed.contact.id], { env });
    expect(text.stdout.split("\n")[0]).toBe(`contact ${parsed.contact.id} (terminal:eve) locale en, 0 points, novice`);
    expect(text.stdout).toMatch(/<- command +customer \/help/);
    expect(text.stdout).toMatch(/\*\* flow\.start +bot +\[help@1 #1\]/);
    expect(text.stdout).toContain("4 entries");
  });

  it("says how to name a contact when none matches", async () => {
    const url = await freshDatabaseUrl();
    urls.push(url);
    const r = await runCli(["contacts", "history", "telegram:42"], { env: { DATABASE_URL: url } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('rapport: no contact matches "telegram:42"; use a contact id or <channel>:<external id>, e.g. terminal:alice or telegram:123456\n');
  });

  it("shows the contact's RFM segment and scores in the header and in --json, when it has one", async () => {
    const url = await freshDatabaseUrl();
    urls.push(url);
    const db = await openDatabase(url);
    try {
      await migrate(db);
      const at = new Date("2025-06-30T12:00:00Z");
      await db.prisma.contact.create({ data: { id: "c-zoe", locale: "pl", points: 120, tier: "regular", segment: "champions", rfmRecency: 5, rfmFrequency: 4, rfmMonetary: 5, segmentAt: at,
        identities: { create: { channel: "terminal", externalId: "zoe" } } } });
      await db.prisma.contact.create({ data: { id: "c-max", identities: { create: { channel: "terminal", externalId: "max" } } } });
      const print = async (reference: string, json: boolean) => {
        let text = "";
        await runContactsHistory(db, reference, json, undefined, new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } }));
        return text;
      };
      expect((await print("terminal:zoe", false)).split("\n")[0]).toBe("contact c-zoe (terminal:zoe) locale pl, 120 points, regular, segment champions (R5 F4 M5)");
      expect(JSON.parse(await print("terminal:zoe", true)).contact).toMatchObject({ segment: "champions", rfm: { recency: 5, frequency: 4, monetary: 5 }, segmentAt: at.toISOString() });
      expect((await print("terminal:max", false)).split("\n")[0]).toBe("contact c-max (terminal:max) locale en, 0 points, novice");
      expect(JSON.parse(await print("terminal:max", true)).contact).toMatchObject({ segment: null, rfm: null, segmentAt: null, attributes: {} });
      await db.prisma.contact.update({ where: { id: "c-zoe" }, data: { attributes: JSON.stringify({ city: "Kraków", demo_date: "2026-03-12", vip: true }) } });
      expect((await print("terminal:zoe", false)).split("\n")[1]).toBe('attributes: city="Kraków", demo_date="2026-03-12", vip=true');
      expect(JSON.parse(await print("terminal:zoe", true)).contact.attributes).toEqual({ city: "Kraków", demo_date: "2026-03-12", vip: true });
    } finally {
      await db.close();
    }
  });

  it("shows each order's rating under the order's purchase line, and the ticket a low one led to (issue 19)", async () => {
    const url = await freshDatabaseUrl();
    urls.push(url);
    const db = await openDatabase(url);
    try {
      await migrate(db);
      const day = (d: number) => new Date(Date.UTC(2026, 11, d, 9));
      await db.prisma.contact.create({ data: { id: "c-ada", identities: { create: { channel: "terminal", externalId: "ada" } } } });
      for (const [n, orderId] of [[1, "A-1"], [2, "A-2"], [3, "A-3"]] as const) {
        await db.prisma.purchase.create({ data: { id: `p${n}`, contactId: "c-ada", orderId, amountMinor: 2000, currency: "EUR", occurredAt: day(n), pointsAwarded: 20 } });
        await db.prisma.interaction.create({ data: { id: `i${n}`, contactId: "c-ada", occurredAt: day(n), direction: "event", kind: "purchase", actor: "system", text: `order ${orderId}`, data: JSON.stringify({ orderId }) } });
      }
      await db.prisma.productReview.createMany({ data: [
        { id: "r1", contactId: "c-ada", purchaseId: "p1", sku: "KTL-7", itemName: "Copper kettle", requestedAt: day(4), score: 1, comment: "leaks\nbadly", answeredAt: day(4), idempotencyKey: "k1" },
        { id: "r2", contactId: "c-ada", purchaseId: "p2", requestedAt: day(5), idempotencyKey: "k2" },
      ] });
      await db.prisma.ticket.create({ data: { id: "t1", contactId: "c-ada", status: "open", reason: "low_rating", orderId: "A-1", idempotencyKey: "t1", createdAt: day(4) } });
      let text = "";
      const out = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } });
      await runContactsHistory(db, "terminal:ada", false, undefined, out);
      const lines = text.split("\n");
      const under = (orderId: string) => lines[lines.findIndex((l) => l.includes(`order ${orderId}`)) + 1];
      expect(under("A-1")).toBe(`${" ".repeat(28)}↳ rated 1/5: Copper kettle (KTL-7) "leaks badly"; ticket t1 (open)`);
      expect(under("A-2")).toBe(`${" ".repeat(28)}↳ asked to rate the order on 2026-12-05, no answer`);
      expect(under("A-3")).toBe("3 entries"); // not asked yet: nothing under it
      text = "";
      await runContactsHistory(db, "terminal:ada", true, undefined, out);
      expect(JSON.parse(text).ratings.map((r: { orderId: string; score: number | null; ticket: unknown }) => [r.orderId, r.score, r.ticket])).toEqual([["A-1", 1, { id: "t1", status: "open" }], ["A-2", null, null]]);
    } finally {
      await db.close();
    }
  });
});
