/**
 * `rapport report`: the text report (aligned numbers, bars) and `--json` for a small data set on the
 * real database, the period's defaults and day-end rule, and the usage errors for bad dates. The
 * figures themselves are checked in test/feedback/report.test.ts.
 */
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/UsageError";
import { runReport } from "../../src/cli/report";
import type { Database } from "../../src/db/Database";
import { parsePeriod, PeriodError } from "../../src/feedback/period";
import { buildReport } from "../../src/feedback/report";
import { makeFixture } from "../helpers/fixture";
import { useTestApps } from "../helpers/testApp";

const useApps = useTestApps();
/** An app with no flows: the report reads tables only. */
async function database(): Promise<Database> {
  const f = makeFixture({});
  return (await useApps({ flowsDir: f.flowsDir, localesDir: f.localesDir })).app.db;
}

function capture() {
  let text = "";
  return { out: { write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WritableStream, text: () => text };
}

const at = (minute: number) => new Date(Date.parse("2024-05-10T09:00:00Z") + minute * 60_000);

/** NPS 10, 9, 7, 3; CSAT 5 and 4 (@UA), 2 (@UB); three tickets; 120 points earned, 40 redeemed; two referrals, one confirmed; three rating requests. */
async function seed(db: Database): Promise<void> {
  const p = db.prisma;
  await p.contact.createMany({ data: [{ id: "ann", segment: "champions" }, { id: "ben", segment: "loyal" }, { id: "cat" }] });
  const answers: [string, number, string | null][] = [["nps", 10, null], ["nps", 9, null], ["nps", 7, null], ["nps", 3, null], ["csat", 5, "agent:UA"], ["csat", 4, "agent:UA"], ["csat", 2, "agent:UB"]];
  await p.surveyResponse.createMany({ data: answers.map(([survey, score, agent], i) => ({ id: `s${i}`, contactId: "ann", survey, score, agent, idempotencyKey: `s${i}`, createdAt: at(i) })) });
  await p.ticket.createMany({
    data: [
      { id: "t1", contactId: "ann", status: "resolved", reason: "command", idempotencyKey: "t1", assignee: "agent:UA", createdAt: at(0), firstResponseAt: at(5), closedAt: at(30) },
      { id: "t2", contactId: "ben", status: "claimed", reason: "command", idempotencyKey: "t2", assignee: "agent:UB", createdAt: at(0), firstResponseAt: at(12) },
      { id: "t3", contactId: "cat", status: "open", reason: "command", idempotencyKey: "t3", createdAt: at(0) },
    ],
  });
  await p.ledgerEntry.createMany({
    data: [
      { id: "l1", contactId: "ann", kind: "earn", points: 120, reason: "test", source: "purchase", idempotencyKey: "l1", createdAt: at(1) },
      { id: "l2", contactId: "ann", kind: "redeem", points: -40, reason: "test", source: "reward", idempotencyKey: "l2", createdAt: at(2) },
    ],
  });
  await p.referral.createMany({
    data: [
      { id: "r1", referrerId: "ann", friendId: "ben", code: "ANN", status: "confirmed", qualifiedAt: at(60), createdAt: at(0) },
      { id: "r2", referrerId: "ann", friendId: "cat", code: "ANN", status: "joined", createdAt: at(1) },
    ],
  });
  // Product ratings: Blue mug 5 and 2, an order without items not answered; the 2 reached support
  // (a ticket with its order, opened in June: outside the period's ticket figures, after the request).
  await p.purchase.createMany({ data: ["o1", "o2", "o3"].map((id, i) => ({ id, contactId: "ann", orderId: id.toUpperCase(), amountMinor: 1000, currency: "EUR", occurredAt: at(i) })) });
  await p.productReview.createMany({
    data: [
      { id: "pr1", contactId: "ann", purchaseId: "o1", sku: "MUG-1", itemName: "Blue mug", requestedAt: at(10), score: 5, answeredAt: at(11), idempotencyKey: "pr1" },
      { id: "pr2", contactId: "ann", purchaseId: "o2", sku: "MUG-1", itemName: "Blue mug", requestedAt: at(12), score: 2, answeredAt: at(13), idempotencyKey: "pr2" },
      { id: "pr3", contactId: "ann", purchaseId: "o3", requestedAt: at(14), idempotencyKey: "pr3" },
    ],
  });
  await p.ticket.create({ data: { id: "t4", contactId: "ann", status: "open", reason: "low_rating", orderId: "O2", idempotencyKey: "t4", createdAt: new Date("2024-06-02T00:00:00Z") } });
}

const TEXT = `Report for 2024-05-01 00:00 UTC up to (not including) 2024-06-01 00:00 UTC

NPS: 25 from 4 answers
  promoters (9-10)  2  ██████████████████████████████
  passives (7-8)    1  ███████████████
  detractors (0-6)  1  ███████████████

CSAT: average 3.67, 66.7% satisfied (4-5), 3 answers
  score 5  1  ██████████████████████████████
  score 4  1  ██████████████████████████████
  score 3  0
  score 2  1  ██████████████████████████████
  score 1  0

  by agent  answers  average
  @UA             2     4.50
  @UB             1     2.00

Tickets: 3 opened
  open         1
  claimed      1
  resolved     1
  handed back  0
  cancelled    0

                    median       p90  tickets
  first response   8.5 min  11.3 min        2
  resolution      30.0 min  30.0 min        1

  by agent  handled  resolved  median 1st response
  @UA             1         1              5.0 min  ██████████████████████████████
  @UB             1         0             12.0 min  ██████████████████████████████

Points
  issued    120
  redeemed   40
  expired     0
  reversed    0

Referrals: 50.0% of friends who joined are confirmed
  joined     2
  qualified  1
  confirmed  1

Segments (contacts now, whatever the period)
  champions        1  ██████████████████████████████
  loyal            1  ██████████████████████████████
  potential        0
  at_risk          0
  lost             0
  needs_attention  0
  (no segment)     1  ██████████████████████████████

Product ratings: average 3.50, 2 of 3 requests answered (66.7%)
  score 5  1  ██████████████████████████████
  score 4  0
  score 3  0
  score 2  1  ██████████████████████████████
  score 1  0

  by product      ratings  average  asked  1  2  3  4  5
  MUG-1 Blue mug        2     3.50      2  0  1  0  0  1
  (whole order)         0        –      1  0  0  0  0  0

Low ratings (1-2): 1, of which 1 reached support (100.0%)
`;

describe("rapport report", () => {
  it("prints the sections with aligned numbers and bars; --to a day includes that whole day", async () => {
    const db = await database();
    await seed(db);
    const c = capture();
    expect(await runReport(db, { from: "2024-05-01", to: "2024-05-31", json: false }, c.out)).toBe(0);
    expect(c.text()).toBe(TEXT);
  });

  it("--json prints the Report, the same as buildReport; without dates it covers the 30 days up to now", async () => {
    const db = await database();
    await seed(db);
    const c = capture();
    const now = new Date("2024-05-20T12:30:00.000Z");
    expect(await runReport(db, { json: true }, c.out, now)).toBe(0);
    const expected = await buildReport(db, { from: new Date("2024-04-20T12:30:00.000Z"), to: now });
    expect(c.text()).toBe(`${JSON.stringify(expected, null, 2)}\n`);
    expect(JSON.parse(c.text())).toMatchObject({ period: { from: "2024-04-20T12:30:00.000Z", to: "2024-05-20T12:30:00.000Z" }, nps: { score: 25 }, points: { issued: 120, redeemed: 40 } });
  });

  it("shows dashes, not zeros, for figures an empty period cannot have", async () => {
    const db = await database();
    const c = capture();
    await runReport(db, { from: "2024-05-01T10:15:30Z", to: "2024-05-02T00:00:00+02:00", json: false }, c.out);
    const text = c.text();
    expect(text.split("\n").slice(0, 3)).toEqual(["Report for 2024-05-01 10:15:30.000 UTC up to (not including) 2024-05-01 22:00 UTC", "", "NPS: – from 0 answers"]);
    expect(text).toContain("CSAT: average –, – satisfied (4-5), 0 answers\n");
    expect(text).toContain("  first response       –    –        0\n");
    expect(text).toContain("Referrals: – of friends who joined are confirmed\n");
    expect(text).not.toContain("█");
    expect(text).not.toContain("by agent");
  });

  const bad: [string, { from?: string; to?: string }, string][] = [
    ["an impossible day", { from: "2024-02-30" }, '--from: "2024-02-30" is not a real date; use YYYY-MM-DD (a UTC day) or an ISO 8601 date-time with a zone, e.g. 2024-05-01T10:00:00Z'],
    ["a month 13", { to: "2024-13-01" }, '--to: "2024-13-01" is not a real date; use YYYY-MM-DD (a UTC day) or an ISO 8601 date-time with a zone, e.g. 2024-05-01T10:00:00Z'],
    ["words", { from: "last week" }, '--from: "last week" is not a date; use YYYY-MM-DD (a UTC day) or an ISO 8601 date-time with a zone, e.g. 2024-05-01T10:00:00Z'],
    ["a day the other way round", { to: "31.05.2024" }, '--to: "31.05.2024" is not a date; use YYYY-MM-DD (a UTC day) or an ISO 8601 date-time with a zone, e.g. 2024-05-01T10:00:00Z'],
    ["a date-time without a zone", { from: "2024-05-01T10:00" }, '--from: "2024-05-01T10:00" has no time zone; add Z or an offset such as +02:00'],
    ["from after to", { from: "2024-05-10", to: "2024-05-09" }, "--from: 2024-05-10T00:00:00.000Z is not before --to (2024-05-10T00:00:00.000Z, the end of 2024-05-09); the period starts at --from and ends before --to"],
    ["from equal to a date-time to", { from: "2024-05-10", to: "2024-05-10T00:00:00Z" }, "--from: 2024-05-10T00:00:00.000Z is not before --to (2024-05-10T00:00:00.000Z); the period starts at --from and ends before --to"],
    ["from in the future", { from: "2030-01-01" }, "--from: 2030-01-01T00:00:00.000Z is not before --to (now); the period starts at --from and ends before --to"],
  ];
  it.each(bad)("refuses %s with a UsageError naming the option", async (_name, dates, message) => {
    const db = await database();
    const error = await runReport(db, { ...dates, json: false }, capture().out, new Date("2024-06-15T00:00:00Z")).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(message);
    expect((error as UsageError).code).toBe("rapport_usage");
  });
});

describe("parsePeriod", () => {
  const now = new Date("2024-06-15T08:00:00Z");
  it("reads days as UTC, a `to` day as its end, date-times with their zone, and fills in 30 days", () => {
    expect(parsePeriod({ from: "2024-05-01", to: "2024-05-31" }, now)).toEqual({ from: new Date("2024-05-01T00:00:00Z"), to: new Date("2024-06-01T00:00:00Z") });
    expect(parsePeriod({ from: " 2024-05-01T10:00:00+02:00 ", to: "2024-05-01T12:00:00.5Z" }, now)).toEqual({ from: new Date("2024-05-01T08:00:00Z"), to: new Date("2024-05-01T12:00:00.500Z") });
    expect(parsePeriod({}, now)).toEqual({ from: new Date("2024-05-16T08:00:00Z"), to: now });
    expect(parsePeriod({ from: "", to: "2024-05-31" }, now)).toEqual({ from: new Date("2024-05-02T00:00:00Z"), to: new Date("2024-06-01T00:00:00Z") });
    expect(parsePeriod({ from: "2024-06-01" }, now)).toEqual({ from: new Date("2024-06-01T00:00:00Z"), to: now });
  });

  it("raises PeriodError with the field, worded for the API by default", () => {
    const error = (() => { try { parsePeriod({ to: "2024-13-01" }, now); } catch (e) { return e; } })() as PeriodError;
    expect(error).toBeInstanceOf(PeriodError);
    expect(error.code).toBe("rapport_period_invalid");
    expect(error.field).toBe("to");
    expect(error.message).toBe('to: "2024-13-01" is not a real date; use YYYY-MM-DD (a UTC day) or an ISO 8601 date-time with a zone, e.g. 2024-05-01T10:00:00Z');
    expect(error.problem()).toBe('"2024-13-01" is not a real date; use YYYY-MM-DD (a UTC day) or an ISO 8601 date-time with a zone, e.g. 2024-05-01T10:00:00Z');
  });
});
