/**
 * `GET /api/v1/report` end to end: a real HttpServer on port 0, a real app on a fresh database
 * (SQLite, or PostgreSQL in CI), and fetch. The figures are buildReport's (test/feedback/report.test.ts);
 * here: the key, the period's parsing and its 400s, and that the JSON is exactly buildReport's.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { App } from "../../../src/app/createApp";
import { silentLogger } from "../../../src/core/log";
import { buildReport } from "../../../src/feedback/report";
import { apiRoutes } from "../../../src/http/api/apiRoutes";
import { HttpServer } from "../../../src/http/server";
import { makeFixture } from "../../helpers/fixture";
import { useTestApps } from "../../helpers/testApp";

const KEY = "k3y-for-tests-0123456789";
const startApp = useTestApps();
const servers: HttpServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });

/** An app with no flows (the report reads tables only) behind the API; `get` sends the key unless told otherwise. */
async function serve() {
  const f = makeFixture({});
  const { app } = await startApp({ flowsDir: f.flowsDir, localesDir: f.localesDir });
  const http = new HttpServer(silentLogger);
  http.use(apiRoutes(app, KEY, silentLogger));
  servers.push(http);
  const port = await http.listen(0, "127.0.0.1");
  const call = async (method: string, path: string, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers });
    return { status: res.status, headers: res.headers, json: await res.json() };
  };
  return { app, call, get: (path: string, headers?: Record<string, string>) => call("GET", path, headers) };
}

const at = (minute: number) => new Date(Date.parse("2024-05-10T09:00:00Z") + minute * 60_000);

async function seed(app: App): Promise<void> {
  const p = app.db.prisma;
  await p.contact.createMany({ data: [{ id: "ann", segment: "champions" }, { id: "ben" }] });
  await p.surveyResponse.createMany({
    data: [["nps", 10], ["nps", 4], ["csat", 5], ["csat", 3]].map(([survey, score], i) => ({ id: `s${i}`, contactId: "ann", survey: survey as string, score: score as number, agent: "agent:UA", idempotencyKey: `s${i}`, createdAt: at(i) })),
  });
  await p.ticket.create({ data: { id: "t1", contactId: "ben", status: "resolved", reason: "command", idempotencyKey: "t1", assignee: "agent:UA", createdAt: at(0), firstResponseAt: at(4), closedAt: at(20) } });
  await p.ledgerEntry.create({ data: { id: "l1", contactId: "ann", kind: "earn", points: 75, reason: "test", source: "purchase", idempotencyKey: "l1", createdAt: at(1) } });
  await p.referral.create({ data: { id: "r1", referrerId: "ann", friendId: "ben", code: "ANN", status: "confirmed", qualifiedAt: at(30), createdAt: at(0) } });
}

describe("GET /api/v1/report", () => {
  it("answers 401 without the key, before reading the period", async () => {
    const { get } = await serve();
    const r = await get("/api/v1/report?from=nonsense", {});
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ error: "unauthorized", field: "authorization", message: "send the API key in the header Authorization: Bearer <RAPPORT_API_KEY>" });
    expect(r.headers.get("www-authenticate")).toBe('Bearer realm="rapport"');
  });

  it("answers buildReport's figures as JSON; a day as `to` includes that whole day", async () => {
    const { app, get } = await serve();
    await seed(app);
    const r = await get("/api/v1/report?from=2024-05-01&to=2024-05-31");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const expected = await buildReport(app.db, { from: new Date("2024-05-01T00:00:00Z"), to: new Date("2024-06-01T00:00:00Z") });
    expect(r.json).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(r.json).toMatchObject({
      period: { from: "2024-05-01T00:00:00.000Z", to: "2024-06-01T00:00:00.000Z" },
      nps: { responses: 2, score: 0 },
      csat: { responses: 2, average: 4, satisfiedPercent: 50, byAgent: [{ agent: "agent:UA", responses: 2, average: 4 }] },
      tickets: { opened: 1, firstResponse: { tickets: 1, medianMinutes: 4, p90Minutes: 4 }, resolution: { tickets: 1, medianMinutes: 20, p90Minutes: 20 } },
      points: { issued: 75, redeemed: 0, expired: 0, reversed: 0 },
      referrals: { joined: 1, qualified: 1, confirmed: 1, conversionPercent: 100 },
      segments: { unsegmented: 1 },
    });
  });

  it("defaults to the 30 days up to now, and takes zoned date-times (URL-encoded +)", async () => {
    const { app, get } = await serve();
    await seed(app);
    const before = Date.now();
    const recent = await get("/api/v1/report");
    expect(recent.status).toBe(200);
    const { from, to } = recent.json.period;
    expect(Date.parse(to)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(to) - Date.parse(from)).toBe(30 * 86_400_000);
    expect(recent.json.nps.responses).toBe(0); // the seeded rows are from 2024

    const narrow = await get(`/api/v1/report?from=${encodeURIComponent("2024-05-10T11:00:00+02:00")}&to=2024-05-10T09:02:00Z`);
    expect(narrow.status).toBe(200);
    expect(narrow.json.period).toEqual({ from: "2024-05-10T09:00:00.000Z", to: "2024-05-10T09:02:00.000Z" });
    expect(narrow.json.nps).toEqual({ responses: 2, promoters: 1, passives: 0, detractors: 1, score: 0 }); // minutes 0 and 1
    expect(narrow.json.csat.responses).toBe(0); // minutes 2 and 3: at or after `to`
  });

  const bad: [string, string, string][] = [
    ["?from=2024-02-30", "from", '"2024-02-30" is not a real date; use YYYY-MM-DD (a UTC day) or an ISO 8601 date-time with a zone, e.g. 2024-05-01T10:00:00Z'],
    ["?to=yesterday", "to", '"yesterday" is not a date; use YYYY-MM-DD (a UTC day) or an ISO 8601 date-time with a zone, e.g. 2024-05-01T10:00:00Z'],
    ["?from=2024-05-01T10:00:00", "from", '"2024-05-01T10:00:00" has no time zone; add Z or an offset such as +02:00'],
    ["?from=2024-05-10&to=2024-05-09", "from", "2024-05-10T00:00:00.000Z is not before to (2024-05-10T00:00:00.000Z, the end of 2024-05-09); the period starts at from and ends before to"],
  ];
  it.each(bad)("%s → 400 invalid_field naming %s", async (query, field, problem) => {
    const { get } = await serve();
    const r = await get(`/api/v1/report${query}`);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: "invalid_field", field, message: `${field}: ${problem}` });
  });

  it("answers 405 to anything but GET", async () => {
    const { call } = await serve();
    const r = await call("POST", "/api/v1/report");
    expect(r.status).toBe(405);
    expect(r.json).toEqual({ error: "method_not_allowed", message: "POST is not accepted here; use GET" });
    expect(r.headers.get("allow")).toBe("GET");
  });
});
