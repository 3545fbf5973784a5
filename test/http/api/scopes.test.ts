/**
 * Least privilege for the API (issue 16): keys with scopes from RAPPORT_API_KEYS (RAPPORT_API_KEY is
 * a key with every scope), 403 naming the missing scope, 429 with Retry-After after too many failed
 * attempts from one address, export and erase over the API, and the audit rows of API changes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/errors";
import { newId } from "../../../src/core/ids";
import { silentLogger } from "../../../src/core/log";
import { apiRoutes } from "../../../src/http/api/apiRoutes";
import { FailedAuthLimiter } from "../../../src/http/api/FailedAuthLimiter";
import { parseApiKeys } from "../../../src/http/api/scopes";
import { HttpServer } from "../../../src/http/server";
import { testDialect } from "../../helpers/database";
import { useTestApps } from "../../helpers/testApp";

const SHOP = "s".repeat(40);
const DPO = "d".repeat(40);
const ALL = "a".repeat(40);
const startApp = useTestApps();
const servers: HttpServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });

async function serve(limiter = new FailedAuthLimiter({ maxFailures: 3, windowMs: 60_000 })) {
  const { app } = await startApp();
  const http = new HttpServer(silentLogger);
  http.use(apiRoutes(app, parseApiKeys(`shop:purchases:${SHOP}; dpo:export,erase:${DPO}`, ALL), silentLogger, limiter));
  servers.push(http);
  const port = await http.listen(0, "127.0.0.1");
  const call = async (method: string, path: string, key: string | undefined, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method, headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, json: await res.json() as any };
  };
  const id = newId();
  await app.db.prisma.contact.create({ data: { id, displayName: "Alice Wong" } });
  await app.db.prisma.channelIdentity.create({ data: { channel: "shop", externalId: "alice", contactId: id } });
  return { app, call, id };
}

describe("parseApiKeys", () => {
  it("reads name:scopes:key entries and keeps RAPPORT_API_KEY as a key with every scope", () => {
    const keys = parseApiKeys(` shop:purchases,read:${SHOP} ;dpo:export,erase:${DPO};`, ALL);
    expect(keys.map((k) => [k.name, [...k.scopes].sort()])).toEqual([
      ["default", ["campaigns", "erase", "export", "purchases", "read"]],
      ["shop", ["purchases", "read"]],
      ["dpo", ["erase", "export"]],
    ]);
    expect(parseApiKeys(undefined, undefined)).toEqual([]);
  });

  it.each([
    [`shop:purchase:${SHOP}`, /unknown scope "purchase".*scopes are purchases, read, export, erase, campaigns/s],
    ["shop:purchases:short", /key "shop" is 5 characters; at least 32/],
    [`shop:${SHOP}`, /entry 1 is not name:scopes:key/],
    [`shop::${SHOP}`, /key "shop" has no scopes/],
    [`a:read:${SHOP};b:read:${SHOP}`, /key "b" is the same key as "a"/],
    [`default:read:${SHOP}`, /"default" is used twice/],
  ])("refuses %s", (value, message) => {
    let error: unknown;
    try { parseApiKeys(value, ALL); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^RAPPORT_API_KEYS: /);
    expect((error as Error).message).toMatch(message);
  });
});

describe(`API scopes (${testDialect})`, () => {
  it("lets each key do what its scopes allow and answers 403 naming the missing scope", async () => {
    const { app, call, id } = await serve();
    const purchase = { customer: "shop:alice", orderId: "A1", amount: "10.00", currency: "EUR" };
    expect((await call("POST", "/api/v1/purchases", SHOP, purchase)).status).toBe(201);
    const refused = await call("GET", "/api/v1/contacts/shop:alice/export", SHOP);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: "missing_scope", scope: "export", field: "authorization" });
    expect(refused.json.message).toContain('"shop" does not have the scope "export"');
    expect((await call("GET", "/api/v1/report", DPO)).json).toMatchObject({ error: "missing_scope", scope: "read" });
    expect((await call("POST", "/api/v1/purchases", DPO, { ...purchase, orderId: "A2" })).status).toBe(403);
    expect(await app.db.prisma.purchase.count()).toBe(1); // refused: nothing written
    expect((await call("GET", "/api/v1/report", ALL)).status).toBe(200);

    const exported = await call("GET", "/api/v1/contacts/shop%3Aalice/export", DPO);
    expect(exported.status).toBe(200);
    expect(exported.json).toMatchObject({ schemaVersion: 1, contact: { id, displayName: "Alice Wong" } });
    expect(exported.json.purchases).toHaveLength(1);
    const plan = await call("GET", "/api/v1/contacts/shop:alice/erase", DPO);
    expect(plan.json.tables.find((t: { section: string }) => t.section === "identities")).toEqual({ section: "identities", rows: 1, action: "delete" });
    expect(await app.db.prisma.contact.count()).toBe(1); // the plan changed nothing
    const erased = await call("POST", "/api/v1/contacts/shop:alice/erase", DPO);
    expect(erased.status).toBe(200);
    expect(erased.json.pseudonym).toEqual(expect.any(String));
    expect((await call("POST", "/api/v1/contacts/shop:alice/erase", DPO)).status).toBe(404);
    expect((await call("POST", "/api/v1/purchases", SHOP, { ...purchase, orderId: "A3" })).json).toMatchObject({ error: "unknown_customer" }); // shop:alice is no one now

    const audit = await app.db.prisma.auditEntry.findMany({ orderBy: { id: "asc" }, select: { actor: true, action: true, targetType: true, targetId: true } });
    expect(audit).toEqual([
      { actor: "api:shop", action: "api.purchase", targetType: "purchase", targetId: "A1" },
      { actor: "api:dpo", action: "contact.export", targetType: "contact", targetId: erased.json.pseudonym }, // moved to the pseudonym
      { actor: "api:dpo", action: "contact.erase", targetType: "contact", targetId: erased.json.pseudonym },
    ]);
  });

  it("answers 429 with Retry-After after too many failed attempts from one address, even with the right key", async () => {
    let now = 1_000_000;
    const { call } = await serve(new FailedAuthLimiter({ maxFailures: 3, windowMs: 60_000 }, () => now));
    for (let i = 0; i < 3; i++) expect((await call("GET", "/api/v1/report", `wrong-${i}`)).status).toBe(401);
    const limited = await call("GET", "/api/v1/report", ALL);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(limited.json).toMatchObject({ error: "too_many_failed_attempts", field: "authorization" });
    now += 30_000;
    expect((await call("GET", "/api/v1/report", undefined)).headers.get("retry-after")).toBe("30");
    now += 31_000; // the window is over
    expect((await call("GET", "/api/v1/report", ALL)).status).toBe(200);
  });
});
