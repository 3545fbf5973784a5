/**
 * `/api/v1/campaigns` end to end (issue 15): a real HttpServer on port 0, the shipped flows and their
 * example campaign (flows/campaigns/winback.yaml), and fetch. A key needs the `campaigns` scope.
 */
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../../src/core/log";
import { apiRoutes } from "../../../src/http/api/apiRoutes";
import { HttpServer } from "../../../src/http/server";
import { useTestApps } from "../../helpers/testApp";

const MARKETING = "marketing-key-0123456789abcdef0123";
const SHOP = "shop-key-0123456789abcdef0123456789";
const startApp = useTestApps();
const servers: HttpServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });

async function serve() {
  const t = await startApp({ campaignRules: { consent: "opt_out", timeZone: "UTC" } });
  const http = new HttpServer(silentLogger);
  http.use(apiRoutes(t.app, [
    { name: "mkt", scopes: new Set(["campaigns"]), key: MARKETING },
    { name: "shop", scopes: new Set(["purchases"]), key: SHOP },
  ], silentLogger));
  servers.push(http);
  const port = await http.listen(0, "127.0.0.1");
  const call = async (method: string, path: string, key = MARKETING) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, { method, headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, json: await res.json() as Record<string, unknown> };
  };
  return { t, call };
}

describe("/api/v1/campaigns", { timeout: 90_000 }, () => {
  it("previews, sends once, pauses and reports, behind the campaigns scope, audited with the key's name", async () => {
    const { t, call } = await serve();
    await t.say("ann", "/language");
    await t.say("ann", "cancel");
    await t.app.db.prisma.contact.updateMany({ data: { segment: "at_risk" } });
    expect((await call("GET", "/campaigns", SHOP)).status).toBe(403);
    expect((await call("GET", "/campaigns")).json).toMatchObject({ files: ["winback"], campaigns: [] });
    const typo = await call("GET", "/campaigns/winbak/preview");
    expect(typo).toMatchObject({ status: 404, json: { error: "unknown_campaign" } });
    expect(String(typo.json.message)).toContain('did you mean "winback"?');
    // ann last wrote just now: the example's inactive_for: 30d leaves her out
    expect((await call("GET", "/campaigns/winback/preview")).json).toMatchObject({ campaign: "winback", audience: 0, send: 0 });
    expect(await call("POST", "/campaigns/winback/send")).toMatchObject({ status: 201, json: { campaign: "winback", status: "running" } });
    expect(await call("POST", "/campaigns/winback/send")).toMatchObject({ status: 409, json: { error: "campaign_already_sent" } });
    expect(await call("POST", "/campaigns/winback/pause")).toMatchObject({ status: 200, json: { status: "paused" } });
    expect(await call("POST", "/campaigns/winback/pause")).toMatchObject({ status: 409, json: { error: "campaign_state" } });
    expect((await call("GET", "/campaigns/winback")).json).toMatchObject({ campaign: "winback", status: "paused", audience: 0, skipped: { opted_out: 0 } });
    expect((await call("GET", "/campaigns/nope")).status).toBe(404);
    const audit = await t.app.db.prisma.auditEntry.findMany({ where: { targetType: "campaign" }, orderBy: { at: "asc" } });
    expect(audit.map((a) => [a.actor, a.action])).toEqual([["api:mkt", "campaign.send"], ["api:mkt", "campaign.pause"]]);
  });
});
