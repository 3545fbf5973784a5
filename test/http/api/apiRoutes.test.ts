/**
 * The shop API end to end: a real HttpServer on port 0, a real app on a fresh database (SQLite, or
 * PostgreSQL in CI), and fetch. Every refusal is checked for its status and field, and for writing nothing.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { App } from "../../../src/app/createApp";
import { newId } from "../../../src/core/ids";
import { createLogger, silentLogger, type Logger } from "../../../src/core/log";
import { apiRoutes } from "../../../src/http/api/apiRoutes";
import { HttpServer } from "../../../src/http/server";
import { useTestApps } from "../../helpers/testApp";
import { dropDatabase, freshDatabaseUrl, testDialect } from "../../helpers/database";
import { TcpProxy } from "../../helpers/tcpProxy";

const KEY = "k3y-for-tests-0123456789abcdef-0123"; // config.ts refuses keys under 32 characters
const startApp = useTestApps();
const servers: HttpServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });

interface Api {
  app: App;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: any }>;
  post(path: string, body: unknown): Promise<{ status: number; headers: Headers; json: any }>;
}

async function serve({ disabled = false, log = silentLogger as Logger, url = undefined as string | undefined } = {}): Promise<Api> {
  const { app } = await startApp({ url });
  const http = new HttpServer(log);
  http.use(apiRoutes(app, disabled ? undefined : KEY, log));
  servers.push(http);
  const port = await http.listen(0, "127.0.0.1");
  const call: Api["call"] = async (method, path, body, headers = { authorization: `Bearer ${KEY}` }) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method, headers: { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, json: await res.json() };
  };
  return { app, call, post: (path, body) => call("POST", path, body) };
}

/** A contact known to the shop as `shop:<external>`. */
async function customer(app: App, external = "alice"): Promise<string> {
  const id = newId();
  await app.db.prisma.contact.create({ data: { id, displayName: external } });
  await app.db.prisma.channelIdentity.create({ data: { channel: "shop", externalId: external, contactId: id } });
  return id;
}

async function rows(app: App) {
  const p = app.db.prisma;
  return { purchases: await p.purchase.count(), ledger: await p.ledgerEntry.count(), interactions: await p.interaction.count(), contacts: await p.contact.count(),
    items: await p.purchaseItem.count(), jobs: await p.scheduledJob.count() };
}

const TEA = { sku: "TEA-1", name: "Green tea", quantity: 2, unitPrice: "9.99" };
const purchase = (extra: Record<string, unknown> = {}) => ({ customer: "shop:alice", orderId: "A1", amount: "19.99", currency: "eur", occurredAt: "2024-05-01T10:00:00Z", ...extra });

describe("POST /api/v1/purchases", () => {
  it("awards points once per order id: 201, then 200 duplicate with the same entry and no second ledger row", async () => {
    const { app, post } = await serve();
    const id = await customer(app);
    const first = await post("/api/v1/purchases", purchase());
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ purchase: { orderId: "A1", points: 19, duplicate: false }, entry: { id: expect.any(String) }, balance: 19, tier: "novice" });
    const stored = await app.db.prisma.purchase.findUniqueOrThrow({ where: { orderId: "A1" } });
    expect(stored).toMatchObject({ contactId: id, amountMinor: 1999, currency: "EUR", pointsAwarded: 19 });
    expect(stored.occurredAt.toISOString()).toBe("2024-05-01T10:00:00.000Z");
    const before = await rows(app);

    const again = await post("/api/v1/purchases", purchase({ customer: id, amount: 19.99 })); // contact id, JSON number: same order
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ purchase: { orderId: "A1", points: 19, duplicate: true }, entry: first.json.entry, balance: 19, tier: "novice" });
    expect(await rows(app)).toEqual(before);
    expect(before).toMatchObject({ purchases: 1, ledger: 1 });
  });

  it("stores the order's items with it and raises purchase.recorded for a recent order (issue 19)", async () => {
    const { app, post } = await serve();
    const id = await customer(app);
    const r = await post("/api/v1/purchases", purchase({ occurredAt: undefined, items: [TEA, { sku: 4711, name: "Cup", quantity: "1", unitPrice: 0 }] }));
    expect(r.status).toBe(201);
    const stored = await app.db.prisma.purchase.findUniqueOrThrow({ where: { orderId: "A1" }, include: { items: { orderBy: { position: "asc" } } } });
    expect(stored.items.map((i) => [i.sku, i.name, i.quantity, i.unitPriceMinor])).toEqual([["TEA-1", "Green tea", 2, 999], ["4711", "Cup", 1, 0]]);
    const job = await app.db.prisma.scheduledJob.findFirstOrThrow();
    expect(job).toMatchObject({ name: "purchase.recorded", contactId: id, status: "pending" });
    expect(JSON.parse(job.data!)).toMatchObject({ orderId: "A1", amount: "19.99", points: 19, firstPurchase: true, items: [{ sku: "TEA-1", unitPrice: "9.99" }, { sku: "4711", unitPrice: "0.00" }] });
    // A retry with the same body changes nothing: no second item row, no second event.
    expect((await post("/api/v1/purchases", purchase({ occurredAt: stored.occurredAt.toISOString(), items: [TEA] }))).status).toBe(200);
    expect(await rows(app)).toMatchObject({ purchases: 1, items: 2, jobs: 1 });
  });

  it("defaults occurredAt to now and answers entry null when the amount earns no points", async () => {
    const { app, post } = await serve();
    await customer(app);
    const r = await post("/api/v1/purchases", { customer: "shop:alice", orderId: "tiny", amount: 0.5, currency: "USD" });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ purchase: { orderId: "tiny", points: 0, duplicate: false }, entry: null, balance: 0, tier: "novice" });
    const stored = await app.db.prisma.purchase.findUniqueOrThrow({ where: { orderId: "tiny" } });
    expect(Math.abs(stored.occurredAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it("refuses the same order id with another amount (409) and writes nothing", async () => {
    const { app, post } = await serve();
    await customer(app);
    await post("/api/v1/purchases", purchase());
    const before = await rows(app);
    const r = await post("/api/v1/purchases", purchase({ amount: "25.00" }));
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ error: "order_conflict", field: "orderId" });
    expect(r.json.message).toContain("send a new order id");
    expect(await rows(app)).toEqual(before);
  });

  const bad: [string, number, string, string, unknown][] = [
    ["unknown customer", 404, "unknown_customer", "customer", purchase({ customer: "shop:nobody" })],
    ["negative amount", 422, "out_of_range", "amount", purchase({ amount: -5 })],
    ["zero amount", 422, "out_of_range", "amount", purchase({ amount: "0.00" })],
    ["non-numeric amount", 400, "invalid_field", "amount", purchase({ amount: "abc" })],
    ["3 decimals", 400, "invalid_field", "amount", purchase({ amount: "12.345" })],
    ["boolean amount", 400, "invalid_field", "amount", purchase({ amount: true })],
    ["missing customer", 400, "missing_field", "customer", purchase({ customer: undefined })],
    ["missing orderId", 400, "missing_field", "orderId", purchase({ orderId: undefined })],
    ["missing amount", 400, "missing_field", "amount", purchase({ amount: undefined })],
    ["missing currency", 400, "missing_field", "currency", purchase({ currency: undefined })],
    ["bad currency", 400, "invalid_field", "currency", purchase({ currency: "EURO" })],
    ["long order id", 400, "invalid_field", "orderId", purchase({ orderId: "x".repeat(101) })],
    ["unreadable date", 400, "invalid_field", "occurredAt", purchase({ occurredAt: "yesterday" })],
    ["date-time without zone", 400, "invalid_field", "occurredAt", purchase({ occurredAt: "2024-05-01T10:00:00" })],
    ["future date", 422, "out_of_range", "occurredAt", purchase({ occurredAt: new Date(Date.now() + 3 * 86_400_000).toISOString() })],
    ["date before 2000", 422, "out_of_range", "occurredAt", purchase({ occurredAt: "0001-01-01" })],
    ["NUL in orderId", 400, "invalid_field", "orderId", purchase({ orderId: "A\u00001" })],
    ["NUL in customer", 400, "invalid_field", "customer", purchase({ customer: "shop:alice\u0000" })],
    ["lone surrogate in orderId", 400, "invalid_field", "orderId", '{"customer": "shop:alice", "orderId": "A\\ud800", "amount": 1, "currency": "EUR"}'],
    ["unknown field", 400, "unknown_field", "orderID", purchase({ orderID: "A2" })],
    ["currency not in the rules", 422, "unsupported_currency", "currency", purchase({ currency: "ZZZ" })],
    ["yen, not in the shipped rules", 422, "unsupported_currency", "currency", purchase({ currency: "JPY", amount: 100000 })],
    ["array body", 400, "invalid_field", "body", [purchase()]],
    ["malformed JSON", 400, "invalid_field", "body", '{"customer": "shop:alice",'],
    ["empty body", 400, "missing_field", "body", ""],
    ["item without quantity", 400, "missing_field", "items[1].quantity", purchase({ items: [TEA, { sku: "CUP", name: "Cup", unitPrice: "5" }] })],
    ["item quantity 0", 422, "out_of_range", "items[0].quantity", purchase({ items: [{ ...TEA, quantity: 0 }] })],
    ["item price with 3 decimals", 400, "invalid_field", "items[0].unitPrice", purchase({ items: [{ ...TEA, unitPrice: "1.234" }] })],
    ["unknown item field", 400, "unknown_field", "items[0].qty", purchase({ items: [{ ...TEA, qty: 2 }] })],
    ["NUL in an item name", 400, "invalid_field", "items[0].name", purchase({ items: [{ ...TEA, name: "Tea\u0000" }] })],
    ["items not a list", 400, "invalid_field", "items", purchase({ items: TEA })],
  ];
  it.each(bad)("%s → %i %s on %s, nothing written", async (_name, status, error, field, body) => {
    const { app, post } = await serve();
    await customer(app);
    const before = await rows(app);
    const r = await post("/api/v1/purchases", body);
    expect(r.status).toBe(status);
    expect(r.json).toEqual({ error, field, message: expect.any(String) });
    expect(await rows(app)).toEqual(before);
  });

  it("refuses a body over 1 MB with 413", async () => {
    const { app, post } = await serve();
    await customer(app);
    const r = await post("/api/v1/purchases", purchase({ note: "x".repeat(1_100_000) }));
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ error: "body_too_large", field: "body" });
    expect((await rows(app)).purchases).toBe(0);
  });
});

describe("currencies and points", () => {
  it("converts a listed currency at its rate from flows/loyalty.yaml and names the accepted ones when refusing", async () => {
    const { app, post } = await serve();
    await customer(app);
    const pln = await post("/api/v1/purchases", purchase({ orderId: "P1", amount: "100.00", currency: "pln" }));
    expect(pln.status).toBe(201);
    expect(pln.json.purchase.points).toBe(23); // PLN: 0.23
    const yen = await post("/api/v1/purchases", purchase({ orderId: "J1", amount: 100000, currency: "JPY" }));
    expect(yen.json.message).toBe("currency: JPY is not accepted; purchases may be in EUR, USD, GBP, PLN (the currencies in flows/loyalty.yaml)");
    expect(await app.db.prisma.purchase.count()).toBe(1);
  });
});

describe("POST /api/v1/refunds", () => {
  it("refuses an unknown field such as refundID instead of merging two equal partial refunds", async () => {
    const { app, post } = await serve();
    await customer(app);
    await post("/api/v1/purchases", purchase({ orderId: "T1", amount: 100 }));
    expect((await post("/api/v1/refunds", { orderId: "T1", amount: 10, refundId: "first" })).status).toBe(200);
    const before = await rows(app);
    const typo = await post("/api/v1/refunds", { orderId: "T1", amount: 10, refundID: "second" });
    expect(typo.status).toBe(400);
    expect(typo.json).toEqual({ error: "unknown_field", field: "refundID", message: "refundID: unknown field (did you mean refundId?); accepted fields: orderId, amount, refundId" });
    expect(await rows(app)).toEqual(before);
    const second = await post("/api/v1/refunds", { orderId: "T1", amount: 10, refundId: "second" });
    expect(second.json).toMatchObject({ reversedPoints: 10, balance: 80, refundedAmount: 20, duplicate: false });
  });

  it("keeps refunds of different orders apart even when order and refund ids share a colon (A:1 + x vs A + 1:x)", async () => {
    const { app, post } = await serve();
    await customer(app);
    await post("/api/v1/purchases", purchase({ orderId: "A:1", amount: 50 }));
    await post("/api/v1/purchases", purchase({ orderId: "A", amount: 50 }));
    const one = await post("/api/v1/refunds", { orderId: "A:1", amount: 10, refundId: "x" });
    const other = await post("/api/v1/refunds", { orderId: "A", amount: 10, refundId: "1:x" });
    expect([one.json.duplicate, other.json.duplicate]).toEqual([false, false]);
    expect(other.json).toMatchObject({ orderId: "A", reversedPoints: 10, balance: 80, refundedAmount: 10 });
    expect(await app.db.prisma.ledgerEntry.count({ where: { kind: "reverse" } })).toBe(2);
  });

  it("reverses points in proportion, once per retry, and refuses unknown orders and over-refunds", async () => {
    const { app, post } = await serve();
    const id = await customer(app);
    expect((await post("/api/v1/purchases", purchase({ orderId: "R1", amount: 100 }))).json.balance).toBe(100);
    const r = await post("/api/v1/refunds", { orderId: "R1", amount: "40.00" });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ orderId: "R1", reversedPoints: 40, balance: 60, refundedAmount: 40, duplicate: false });
    const before = await rows(app);
    const retry = await post("/api/v1/refunds", { orderId: "R1", amount: 40 });
    expect(retry.json).toEqual({ orderId: "R1", reversedPoints: 40, balance: 60, refundedAmount: 40, duplicate: true });
    expect(await rows(app)).toEqual(before);

    const unknown = await post("/api/v1/refunds", { orderId: "nope", amount: 1 });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: "unknown_order", field: "orderId" });
    const over = await post("/api/v1/refunds", { orderId: "R1", amount: "60.01", refundId: "second" });
    expect(over.status).toBe(422);
    expect(over.json).toMatchObject({ error: "refund_refused", field: "amount" });
    const negative = await post("/api/v1/refunds", { orderId: "R1", amount: -1 });
    expect(negative.status).toBe(422);
    expect(negative.json.field).toBe("amount");
    expect(await rows(app)).toEqual(before);
    expect((await app.db.prisma.contact.findUniqueOrThrow({ where: { id } })).points).toBe(60);

    const rest = await post("/api/v1/refunds", { orderId: "R1", amount: 60, refundId: "second" });
    expect(rest.json).toEqual({ orderId: "R1", reversedPoints: 60, balance: 0, refundedAmount: 100, duplicate: false });
  });
});

describe(`a database outage (${testDialect})`, () => {
  it.runIf(testDialect === "postgresql")("answers 503 with Retry-After while PostgreSQL is unreachable, and 201 once it is back", async () => {
    const url = new URL(await freshDatabaseUrl());
    const proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.up();
    const viaProxy = new URL(url);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(proxy.port);
    try {
      const { app, post, call } = await serve({ url: viaProxy.toString() });
      await customer(app);
      await proxy.down();
      const refused = await post("/api/v1/purchases", purchase());
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(refused.json).toEqual({ error: "database_unavailable", message: "the database is unavailable; nothing was recorded, send the request again later" });
      expect((await call("GET", "/api/v1/contacts/shop:alice/points")).status).toBe(503);
      await proxy.up();
      expect((await post("/api/v1/purchases", purchase())).status).toBe(201);
    } finally {
      await proxy.down();
      await dropDatabase(url.toString());
    }
  });
});

describe("GET /api/v1/contacts/<customer>/points", () => {
  it("answers the account summary by channel:id (encoded or not) or contact id; 404 for an unknown customer", async () => {
    const { app, call, post } = await serve();
    const id = await customer(app, "bob:1");
    await post("/api/v1/purchases", purchase({ customer: "shop:bob:1", amount: "12.50" }));
    for (const ref of ["shop%3Abob%3A1", "shop:bob:1", id]) {
      const r = await call("GET", `/api/v1/contacts/${ref}/points`);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ points: 12, tier: "novice", lifetimePoints: 12, next: { tier: "connoisseur", needed: 988 } });
      expect(r.json.entries).toEqual([expect.objectContaining({ kind: "earn", points: 12, source: "purchase" })]);
    }
    const unknown = await call("GET", "/api/v1/contacts/shop%3Aghost/points");
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: "unknown_customer", field: "customer" });
    expect(unknown.json.message).toContain('"shop:ghost"');
    const malformed = await call("GET", "/api/v1/contacts/%E0%A4%A/points");
    expect(malformed.status).toBe(400);
    expect(malformed.json.field).toBe("customer");
    const nul = await call("GET", "/api/v1/contacts/shop%3Abob%00/points");
    expect(nul.status).toBe(400);
    expect(nul.json).toMatchObject({ error: "invalid_field", field: "customer" });
  });
});

describe("/api/v1 routing and keys", () => {
  it("answers 404 JSON for unknown paths and 405 with Allow for a wrong method", async () => {
    const { call } = await serve();
    const missing = await call("GET", "/api/v1/orders");
    expect(missing.status).toBe(404);
    expect(missing.json.error).toBe("not_found");
    const wrong = await call("GET", "/api/v1/purchases");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    expect(wrong.json.error).toBe("method_not_allowed");
  });

  it("refuses a missing, malformed or wrong key with 401 naming the header, writes nothing, never logs the key", async () => {
    const lines: string[] = [];
    const { app, call } = await serve({ log: createLogger("debug", (l) => lines.push(l)) });
    await customer(app);
    const before = await rows(app);
    const attempts: Record<string, string>[] = [{}, { authorization: KEY }, { authorization: `Basic ${KEY}` }, { authorization: `Bearer ${KEY}x` }, { authorization: "Bearer short" }];
    for (const headers of attempts) {
      const r = await call("POST", "/api/v1/purchases", purchase(), headers);
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ error: "unauthorized", field: "authorization", message: expect.any(String) });
      expect(r.headers.get("www-authenticate")).toBe('Bearer realm="rapport"');
    }
    expect((await call("GET", "/api/v1/nothing-here", undefined, {})).status).toBe(401); // paths are not revealed
    expect(await rows(app)).toEqual(before);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain(KEY);
  });

  it("answers 503 api_disabled to every /api/v1 request when no key is configured", async () => {
    const { call } = await serve({ disabled: true });
    for (const [method, path] of [["POST", "/api/v1/purchases"], ["GET", "/api/v1/contacts/x/points"], ["GET", "/api/v1"]] as const) {
      const r = await call(method, path, method === "POST" ? purchase() : undefined);
      expect(r.status).toBe(503);
      expect(r.json).toEqual({ error: "api_disabled", message: "set RAPPORT_API_KEY to enable the API" });
    }
  });

  it("leaves other paths to other routes", async () => {
    const { call } = await serve();
    const r = await call("GET", "/api/v10/purchases");
    expect(r.status).toBe(404);
    expect(r.json.error).toBe("not_found");
    expect(r.json.message).toBe("no route for GET /api/v10/purchases"); // the server's own 404, not the API's
  });
});
