/**
 * The report's figures for a fixed data set on the real database (SQLite, or PostgreSQL in CI),
 * every one computed by hand and written out. Each kind of row also has one just before `from` and
 * one exactly at `to`: both must stay out, or a figure below changes.
 */
import { describe, expect, it } from "vitest";
import type { Database } from "../../src/db/Database";
import { buildReport, type Report } from "../../src/feedback/report";
import { makeFixture } from "../helpers/fixture";
import { useTestApps } from "../helpers/testApp";

const useApps = useTestApps();
/** An app with no flows: the report reads tables only, and must not depend on what flows ship. */
const startApp = () => { const f = makeFixture({}); return useApps({ flowsDir: f.flowsDir, localesDir: f.localesDir }); };

const FROM = new Date("2024-05-01T00:00:00.000Z");
const TO = new Date("2024-06-01T00:00:00.000Z");
const BEFORE = new Date("2024-04-30T23:59:59.999Z"); // 1 ms before FROM: excluded
const T = Date.parse("2024-05-10T09:00:00.000Z");
const at = (minutes: number) => new Date(T + minutes * 60_000);
const plus = (d: Date, minutes: number) => new Date(d.getTime() + Math.round(minutes * 60_000));

/** The RFM table's segments in its order, 0 included, then a name an older rule table wrote. */
const SIZES = [
  { segment: "champions", contacts: 3 }, { segment: "loyal", contacts: 2 }, { segment: "potential", contacts: 0 }, { segment: "at_risk", contacts: 1 },
  { segment: "lost", contacts: 0 }, { segment: "needs_attention", contacts: 0 }, { segment: "hibernating", contacts: 1 },
];

/** Product ratings when nothing was asked (test/feedback/productRatings.test.ts has their figures). */
const NO_PRODUCTS = {
  requested: 0, rated: 0, responseRatePercent: null, average: null, distribution: [1, 2, 3, 4, 5].map((score) => ({ score, responses: 0 })), bySku: [],
  low: { ratings: 0, reachedSupport: 0, reachedSupportPercent: null },
};

/** The fixed data set; comments give what each row contributes. */
async function seed(db: Database): Promise<void> {
  const p = db.prisma;
  const segments: [string, string | null][] = [
    ["ann", "champions"], ["ben", "champions"], ["cat", "loyal"], ["dan", "at_risk"], ["eve", null],
    ["f1", "champions"], ["f2", "loyal"], ["f3", "hibernating"], ["f4", null], ["f5", null], ["f6", null], ["f7", null], ["f8", null], ["f9", null],
  ];
  await p.contact.createMany({ data: segments.map(([id, segment]) => ({ id, displayName: id, segment })) });

  let n = 0;
  const survey = (survey: "nps" | "csat", score: number, createdAt: Date, agent: string | null = null) =>
    ({ id: `s${++n}`, contactId: "ann", survey, score, agent, createdAt, idempotencyKey: `survey-${n}` });
  await p.surveyResponse.createMany({
    data: [
      // NPS: promoters 10, 10, 9, 9; passives 8, 7; detractors 6, 3, 0 → 100 × (4 − 3) / 9 = 11.1 → 11
      ...[10, 10, 9, 9, 8, 7, 6, 0].map((s, i) => survey("nps", s, at(i))),
      survey("nps", 3, FROM), // exactly at `from`: included
      survey("nps", 10, BEFORE), survey("nps", 0, TO),
      // CSAT: @UA 5, 4, 4 (4.33); @UB 2, 5 (3.50); no agent 1, 3 → 24 / 7 = 3.43; 4 of 7 satisfied = 57.1%
      survey("csat", 5, at(1), "agent:UA"), survey("csat", 4, at(2), "agent:UA"), survey("csat", 4, at(3), "agent:UA"),
      survey("csat", 2, at(4), "agent:UB"), survey("csat", 5, at(5), "agent:UB"),
      survey("csat", 1, at(6)), survey("csat", 3, at(7)),
      survey("csat", 1, BEFORE, "agent:UB"), survey("csat", 5, TO, "agent:UA"),
    ],
  });

  const ticket = (id: string, status: string, createdAt: Date, t: { assignee?: string; firstResponse?: number; closed?: number } = {}) => ({
    id, contactId: "ben", status, reason: "command", idempotencyKey: `ticket-${id}`, createdAt, assignee: t.assignee ?? null,
    firstResponseAt: t.firstResponse === undefined ? null : plus(createdAt, t.firstResponse),
    closedAt: t.closed === undefined ? null : plus(createdAt, t.closed),
  });
  await p.ticket.createMany({
    data: [
      // first responses (min): 5, 10, 30⅓, 2.5, 20 → sorted 2.5, 5, 10, 20, 30⅓: median 10.0, p90 20 + 0.6 × 10⅓ = 26.2
      // resolutions (resolved only): 60, 120, 45, 15 → median (45 + 60) / 2 = 52.5, p90 60 + 0.7 × 60 = 102.0
      ticket("t1", "resolved", at(0), { assignee: "agent:UA", firstResponse: 5, closed: 60 }),
      ticket("t2", "resolved", at(10), { assignee: "agent:UA", firstResponse: 10, closed: 120 }),
      ticket("t3", "resolved", at(20), { assignee: "agent:UB", firstResponse: 30 + 1 / 3, closed: 45 }),
      ticket("t4", "claimed", at(30), { assignee: "agent:UB", firstResponse: 2.5 }),
      ticket("t5", "handed_back", at(40), { assignee: "agent:UA", firstResponse: 20, closed: 90 }), // closed, but not a resolution
      ticket("t6", "open", FROM), // exactly at `from`: included
      ticket("t7", "cancelled", at(50), { closed: 3 }),
      ticket("t8", "resolved", at(60), { assignee: "agent:UC", closed: 15 }), // resolved without a reply: no first response
      ticket("t9", "resolved", BEFORE, { assignee: "agent:UA", firstResponse: 1, closed: 1 }),
      ticket("t10", "open", TO),
    ],
  });

  const entry = (kind: string, points: number, createdAt: Date) =>
    ({ id: `l${++n}`, contactId: "cat", kind, points, reason: "test", source: "manual", idempotencyKey: `ledger-${n}`, createdAt });
  await p.ledgerEntry.createMany({
    data: [
      // issued 100 + 50 + 30 = 180 (the −20 adjustment is not issued); redeemed 70 + 30; expired 15; reversed 25
      entry("earn", 100, at(0)), entry("earn", 50, at(1)), entry("adjust", 30, at(2)), entry("adjust", -20, at(3)),
      entry("redeem", -70, at(4)), entry("redeem", -30, at(5)), entry("expire", -15, at(6)), entry("reverse", -25, at(7)),
      entry("earn", 1000, BEFORE), entry("redeem", -500, TO),
    ],
  });

  const referral = (friendId: string, status: string, createdAt: Date, qualified: boolean) =>
    ({ id: `r-${friendId}`, referrerId: "dan", friendId, code: "DAN", status, createdAt, qualifiedAt: qualified ? plus(createdAt, 60) : null });
  await p.referral.createMany({
    data: [
      // joined 7, qualified 6, confirmed 2 → 2 / 7 = 28.6%
      referral("f1", "confirmed", at(0), true), referral("f2", "confirmed", at(1), true), referral("f3", "pending", at(2), true),
      referral("f4", "held", at(3), true), referral("f5", "joined", at(4), false), referral("f6", "reversed", at(5), true),
      referral("f7", "capped", at(6), true),
      referral("f8", "confirmed", BEFORE, true), referral("f9", "confirmed", TO, true),
    ],
  });

  // The console playground's test customer (webchat:pg-…): its rows would change every figure above,
  // and are all left out.
  await p.contact.create({ data: { id: "pgc", displayName: "playground", segment: "champions" } });
  await p.channelIdentity.create({ data: { channel: "webchat", externalId: "pg-0123456789abcdef", contactId: "pgc" } });
  await p.surveyResponse.createMany({ data: [{ ...survey("nps", 0, at(1)), contactId: "pgc" }, { ...survey("csat", 1, at(1)), contactId: "pgc" }] });
  await p.ticket.create({ data: { ...ticket("tpg", "resolved", at(1), { assignee: "agent:UA", firstResponse: 1, closed: 2 }), contactId: "pgc" } });
  await p.ledgerEntry.create({ data: { ...entry("earn", 50, at(1)), contactId: "pgc" } });
  await p.referral.create({ data: { ...referral("pgc", "confirmed", at(1), true) } });
}

describe(`buildReport`, () => {
  it("computes every figure of a fixed data set, leaving out rows before `from` and at `to`", async () => {
    const { app } = await startApp();
    await seed(app.db);
    const report: Report = await buildReport(app.db, { from: FROM, to: TO });
    expect(report).toEqual({
      period: { from: "2024-05-01T00:00:00.000Z", to: "2024-06-01T00:00:00.000Z" },
      nps: { responses: 9, promoters: 4, passives: 2, detractors: 3, score: 11 },
      csat: {
        responses: 7, average: 3.43, satisfiedPercent: 57.1,
        distribution: [{ score: 1, responses: 1 }, { score: 2, responses: 1 }, { score: 3, responses: 1 }, { score: 4, responses: 2 }, { score: 5, responses: 2 }],
        byAgent: [{ agent: "agent:UA", responses: 3, average: 4.33 }, { agent: "agent:UB", responses: 2, average: 3.5 }],
      },
      tickets: {
        opened: 8,
        byStatus: { open: 1, claimed: 1, resolved: 4, handed_back: 1, cancelled: 1 },
        firstResponse: { tickets: 5, medianMinutes: 10, p90Minutes: 26.2 },
        resolution: { tickets: 4, medianMinutes: 52.5, p90Minutes: 102 },
        byAgent: [
          { agent: "agent:UA", handled: 3, resolved: 2, medianFirstResponseMinutes: 10 },
          { agent: "agent:UB", handled: 2, resolved: 1, medianFirstResponseMinutes: 16.4 }, // (2.5 + 30⅓) / 2 = 16.42
          { agent: "agent:UC", handled: 1, resolved: 1, medianFirstResponseMinutes: null },
        ],
      },
      points: { issued: 180, redeemed: 100, expired: 15, reversed: 25 },
      referrals: { joined: 7, qualified: 6, confirmed: 2, conversionPercent: 28.6 },
      segments: {
        sizes: SIZES,
        unsegmented: 7,
      },
      products: NO_PRODUCTS,
    });
  });

  it("moving the period by a millisecond takes in the rows at its edges", async () => {
    const { app } = await startApp();
    await seed(app.db);
    const report = await buildReport(app.db, { from: BEFORE, to: new Date(TO.getTime() + 1) });
    expect(report.nps).toEqual({ responses: 11, promoters: 5, passives: 2, detractors: 4, score: 9 }); // 100 × 1 / 11 = 9.09
    expect(report.csat).toMatchObject({ responses: 9, average: 3.33, satisfiedPercent: 55.6 }); // 30 / 9; 5 / 9
    expect(report.tickets).toMatchObject({ opened: 10, byStatus: { open: 2, claimed: 1, resolved: 5, handed_back: 1, cancelled: 1 } });
    expect(report.tickets.byAgent[0]).toEqual({ agent: "agent:UA", handled: 4, resolved: 3, medianFirstResponseMinutes: 7.5 }); // 1, 5, 10, 20
    expect(report.points).toEqual({ issued: 1180, redeemed: 600, expired: 15, reversed: 25 });
    expect(report.referrals).toEqual({ joined: 9, qualified: 8, confirmed: 4, conversionPercent: 44.4 });
  });

  it("answers zeros and nulls for a period with nothing in it; segment sizes are not bound to the period", async () => {
    const { app } = await startApp();
    await seed(app.db);
    const report = await buildReport(app.db, { from: new Date("2020-01-01T00:00:00Z"), to: new Date("2020-02-01T00:00:00Z") });
    expect(report).toEqual({
      period: { from: "2020-01-01T00:00:00.000Z", to: "2020-02-01T00:00:00.000Z" },
      nps: { responses: 0, promoters: 0, passives: 0, detractors: 0, score: null },
      csat: { responses: 0, average: null, satisfiedPercent: null, distribution: [1, 2, 3, 4, 5].map((score) => ({ score, responses: 0 })), byAgent: [] },
      tickets: {
        opened: 0, byStatus: { open: 0, claimed: 0, resolved: 0, handed_back: 0, cancelled: 0 },
        firstResponse: { tickets: 0, medianMinutes: null, p90Minutes: null }, resolution: { tickets: 0, medianMinutes: null, p90Minutes: null }, byAgent: [],
      },
      points: { issued: 0, redeemed: 0, expired: 0, reversed: 0 },
      referrals: { joined: 0, qualified: 0, confirmed: 0, conversionPercent: null },
      segments: {
        sizes: SIZES,
        unsegmented: 7,
      },
      products: NO_PRODUCTS,
    });
  });

  it("rounds half away from zero: a negative NPS of −12.5 is −13, a satisfied share of 12.5% stays 12.5", async () => {
    const { app } = await startApp();
    await app.db.prisma.contact.create({ data: { id: "zed" } });
    const scores: [string, number][] = [["nps", 9], ["nps", 7], ["nps", 7], ["nps", 7], ["nps", 7], ["nps", 7], ["nps", 0], ["nps", 0], ...[5, 3, 3, 3, 3, 3, 3, 2].map((s) => ["csat", s] as [string, number])];
    await app.db.prisma.surveyResponse.createMany({ data: scores.map(([survey, score], i) => ({ id: `z${i}`, contactId: "zed", survey, score, idempotencyKey: `z${i}`, createdAt: at(i) })) });
    const report = await buildReport(app.db, { from: FROM, to: TO });
    expect(report.nps).toEqual({ responses: 8, promoters: 1, passives: 5, detractors: 2, score: -13 }); // 100 × −1 / 8
    expect(report.csat).toMatchObject({ responses: 8, average: 3.13, satisfiedPercent: 12.5 }); // 25 / 8 = 3.125
  });
});
