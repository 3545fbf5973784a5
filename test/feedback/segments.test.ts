/**
 * RFM segments on a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL): recomputation
 * from stored purchases, clearing after refunds, staleness for the sweeper, a flow branching on
 * `contact.segment`, and `rapport rfm`'s output.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids";
import { recomputeSegments, segmentSizes, segmentsStale } from "../../src/feedback/segments";
import { runRfm } from "../../src/cli/rfm";
import { makeFixture } from "../helpers/fixture";
import { testDialect } from "../helpers/database";
import { useTestApps, type TestApp } from "../helpers/testApp";

const startApp = useTestApps();
const NOW = new Date("2025-06-30T12:00:00Z");
const DAY = 86_400_000;
const HOUR = 3_600_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY - 5 * HOUR);

const SEGMENT_FLOW = `description: Greets champions differently.
triggers:
  - command: seg
steps:
  - branch:
      - if: { contact: segment, equals: champions }
        goto: vip
      - else: regular
  - id: vip
    end: test:vip
  - id: regular
    end: test:regular
`;

/** [customer, days ago, amount, refunded] — see the hand computation in the first test. */
const PURCHASES: [string, number, number, number][] = [
  ["ann", 1, 40_000, 0], ["ann", 10, 40_000, 0], ["ann", 20, 40_000, 0],
  ["ben", 5, 20_000, 0], ["ben", 40, 10_000, 4_000],
  ["cat", 30, 3_000, 0],
  ["dan", 2, 5_000, 5_000], ["dan", 90, 1_000, 0], ["dan", 100, 1_000, 0], ["dan", 110, 1_000, 0], ["dan", 120, 1_000, 0],
  ["eve", 200, 50_000, 0], ["eve", 210, 50_000, 0],
  ["fay", 3, 8_000, 8_000],
];
const PEOPLE = ["ann", "ben", "cat", "dan", "eve", "fay", "gus"];

/** Starts an app with the segment flow; every customer says /seg once, so their contacts exist. */
async function shop(): Promise<{ t: TestApp; ids: Record<string, string> }> {
  const fixture = makeFixture({ seg: SEGMENT_FLOW }, { vip: "welcome back, champion", regular: "hello" });
  const t = await startApp({ flowsDir: fixture.flowsDir, localesDir: fixture.localesDir });
  const ids: Record<string, string> = {};
  for (const name of PEOPLE) {
    expect((await t.say(name, "/seg")).map((m) => m.text)).toEqual(["en: hello"]);
    ids[name] = (await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: name } } })).contactId;
  }
  await t.app.db.prisma.purchase.createMany({
    data: PURCHASES.map(([name, days, amountMinor, refundedMinor], i) => ({
      id: newId(), contactId: ids[name]!, orderId: `O-${i}`, amountMinor, refundedMinor, currency: "EUR", occurredAt: daysAgo(days),
    })),
  });
  return { t, ids };
}

async function rows(t: TestApp, ids: Record<string, string>) {
  const contacts = await t.app.db.prisma.contact.findMany({ where: { id: { in: Object.values(ids) } } });
  const name = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
  return Object.fromEntries(contacts.map((c) => [name[c.id]!, c.segment === null && c.rfmRecency === null && c.segmentAt === null
    ? null : `${c.segment} R${c.rfmRecency} F${c.rfmFrequency} M${c.rfmMonetary} at ${c.segmentAt?.toISOString()}`]));
}

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, done: () => void) { this.text += chunk.toString(); done(); }
}

describe(`RFM segments (${testDialect})`, () => {
  it("scores customers from their stored purchases, as computed by hand, and clears them after a full refund", async () => {
    const { t, ids } = await shop();
    // Counted purchases (net > 0): ann 3 orders, 1200.00, last 1 day ago; ben 2, 260.00 (100.00 less
    // 40.00 refunded + 200.00), 5 days; cat 1, 30.00, 30 days; dan 4, 40.00, 90 days (the refunded
    // order 2 days ago counts for nothing, recency included); eve 2, 1000.00, 200 days; fay nothing
    // (fully refunded); gus never bought. n = 5, so position i scores i + 1:
    //   R (most days first): eve 1, dan 2, cat 3, ben 4, ann 5
    //   F (fewest first):    cat 1, ben & eve 2 (tie at position 1), ann 4, dan 5
    //   M (least first):     cat 1, dan 2, ben 3, eve 4, ann 5
    // ann 5/4/5 champions; ben 4/2/3 potential; cat 3/1/1 needs_attention; dan 2/5/2 and eve 1/2/4 at_risk.
    const at = NOW.toISOString();
    expect(await recomputeSegments(t.app.db, NOW)).toEqual({
      scored: 5, cleared: 0,
      sizes: { champions: 1, loyal: 0, potential: 1, at_risk: 2, lost: 0, needs_attention: 1 },
    });
    expect(await rows(t, ids)).toEqual({
      ann: `champions R5 F4 M5 at ${at}`,
      ben: `potential R4 F2 M3 at ${at}`,
      cat: `needs_attention R3 F1 M1 at ${at}`,
      dan: `at_risk R2 F5 M2 at ${at}`,
      eve: `at_risk R1 F2 M4 at ${at}`,
      fay: null,
      gus: null,
    });
    expect(await segmentSizes(t.app.db)).toEqual({ champions: 1, loyal: 0, potential: 1, at_risk: 2, lost: 0, needs_attention: 1 });

    // cat's only order is refunded in full: cat loses the segment, and the other four are scored
    // among themselves (n = 4: positions 0-3 score 1, 2, 3, 4):
    //   R: eve 1, dan 2, ben 3, ann 4;  F: ben & eve 1 (tie at 0), ann 3, dan 4;  M: dan 1, ben 2, eve 3, ann 4
    // ann 4/3/4 potential (F<4); ben 3/1/2 needs_attention; dan 2/4/1 at_risk; eve 1/1/3 at_risk.
    await t.app.db.prisma.purchase.updateMany({ where: { contactId: ids.cat! }, data: { refundedMinor: 3_000 } });
    const later = new Date(NOW.getTime() + HOUR);
    expect(await recomputeSegments(t.app.db, later)).toEqual({
      scored: 4, cleared: 1,
      sizes: { champions: 0, loyal: 0, potential: 1, at_risk: 2, lost: 0, needs_attention: 1 },
    });
    // recency days are counted from `later`, still whole days: ann 1, ben 5, dan 90, eve 200
    expect(await rows(t, ids)).toEqual({
      ann: `potential R4 F3 M4 at ${later.toISOString()}`,
      ben: `needs_attention R3 F1 M2 at ${later.toISOString()}`,
      cat: null,
      dan: `at_risk R2 F4 M1 at ${later.toISOString()}`,
      eve: `at_risk R1 F1 M3 at ${later.toISOString()}`,
      fay: null,
      gus: null,
    });
    expect(await segmentSizes(t.app.db)).toEqual({ champions: 0, loyal: 0, potential: 1, at_risk: 2, lost: 0, needs_attention: 1 });
    // Run again: nothing left to clear.
    expect((await recomputeSegments(t.app.db, later)).cleared).toBe(0);
  });

  it("a flow branching on contact.segment sees the recomputed segment on the next message", async () => {
    const { t } = await shop();
    await recomputeSegments(t.app.db, NOW);
    expect((await t.say("ann", "/seg")).map((m) => m.text)).toEqual(["en: welcome back, champion"]);
    expect((await t.say("ben", "/seg")).map((m) => m.text)).toEqual(["en: hello"]);
    expect((await t.say("gus", "/seg")).map((m) => m.text)).toEqual(["en: hello"]);
    // ann's big orders are refunded: no longer a champion once recomputed
    const ann = (await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: "ann" } } })).contactId;
    await t.app.db.prisma.purchase.updateMany({ where: { contactId: ann }, data: { refundedMinor: 39_000 } });
    await recomputeSegments(t.app.db, NOW);
    expect((await t.say("ann", "/seg")).map((m) => m.text)).toEqual(["en: hello"]);
  });

  it("is stale when purchases exist and no segment was computed within a day", async () => {
    const fixture = makeFixture({ seg: SEGMENT_FLOW }, { vip: "vip", regular: "hello" });
    const empty = await startApp({ flowsDir: fixture.flowsDir, localesDir: fixture.localesDir });
    expect(await segmentsStale(empty.app.db, NOW)).toBe(false); // no purchases: nothing to compute

    const { t, ids } = await shop();
    expect(await segmentsStale(t.app.db, NOW)).toBe(true);
    await recomputeSegments(t.app.db, NOW);
    expect(await segmentsStale(t.app.db, new Date(NOW.getTime() + 23 * HOUR))).toBe(false);
    expect(await segmentsStale(t.app.db, new Date(NOW.getTime() + 25 * HOUR))).toBe(true);
    expect(await segmentsStale(t.app.db, new Date(NOW.getTime() + 2 * HOUR), HOUR)).toBe(true);

    // Everything refunded: still stale while a contact keeps an old segment, so the sweeper clears it;
    // once cleared, there is nothing left to do.
    for (const p of await t.app.db.prisma.purchase.findMany()) await t.app.db.prisma.purchase.update({ where: { id: p.id }, data: { refundedMinor: p.amountMinor } });
    const dayLater = new Date(NOW.getTime() + 25 * HOUR);
    expect(await segmentsStale(t.app.db, dayLater)).toBe(true);
    expect(await recomputeSegments(t.app.db, dayLater)).toMatchObject({ scored: 0, cleared: 5 });
    expect(Object.values(await rows(t, ids)).every((r) => r === null)).toBe(true);
    expect(await segmentsStale(t.app.db, dayLater)).toBe(false);
  });

  it("rapport rfm recomputes and prints segment sizes as bars, the totals and the rules; --json the counts", async () => {
    const { t } = await shop();
    const text = new Capture();
    expect(await runRfm(t.app.db, { json: false }, text, NOW)).toBe(0);
    const bar = "█".repeat(40);
    expect(text.text).toBe([
      "segment          contacts",
      `champions               1  ${"█".repeat(20)}`,
      "loyal                   0",
      `potential               1  ${"█".repeat(20)}`,
      `at_risk                 2  ${bar}`,
      "lost                    0",
      `needs_attention         1  ${"█".repeat(20)}`,
      "5 customers scored, 0 segments cleared (no purchase left after refunds)",
      "",
      "rules (first match wins; R, F, M score recency, frequency and spend 1-5 by quintile among customers):",
      "  champions        R≥4, F≥4, M≥4",
      "  loyal            F≥4, R≥3",
      "  potential        R≥4, F≤3",
      "  at_risk          R≤2, and F≥3 or M≥3",
      "  lost             R≤2",
      "  needs_attention  anything else",
      "",
    ].join("\n"));
    const json = new Capture();
    await runRfm(t.app.db, { json: true }, json, NOW);
    expect(JSON.parse(json.text)).toEqual({ scored: 5, cleared: 0, sizes: { champions: 1, loyal: 0, potential: 1, at_risk: 2, lost: 0, needs_attention: 1 } });
  });
});
