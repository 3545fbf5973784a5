import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadCampaignFile } from "../../../src/campaigns/loadCampaignFile";
import { newId } from "../../../src/core/ids";
import { setConsent } from "../../../src/marketing/consent";
import { CONSOLE_USERS, startConsoleApp, type ConsoleTestApp } from "../../helpers/consoleApp";

// Sign-in, sessions, CSRF and roles over plain HTTP (the browser tests cover the pages themselves).

let t: ConsoleTestApp;
beforeAll(async () => { t = await startConsoleApp(); }, 60_000);
afterAll(async () => { await t?.close(); });

async function signIn(user: { name: string; password: string }, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.base}/console/sign-in`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams({ name: user.name, password: user.password, next: "/console/flows" }) });
  const cookie = res.headers.get("set-cookie") ?? "";
  return { res, cookie, session: cookie.split(";")[0]! };
}

async function csrfOf(session: string, path = "/console/flows"): Promise<string> {
  const html = await (await fetch(`${t.base}${path}`, { headers: { cookie: session } })).text();
  return /name="csrf-token" content="([^"]+)"/.exec(html)![1]!;
}

describe("console sign-in and sessions", () => {
  it("sends a visitor without a session to the sign-in page, and gives API paths 401", async () => {
    const page = await fetch(`${t.base}/console/contacts?q=x`, { redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/console/sign-in?next=%2Fconsole%2Fcontacts%3Fq%3Dx");
    expect((await fetch(`${t.base}/console/api/flows/fingerprint`)).status).toBe(401);
  });

  it("signs in with an HttpOnly SameSite=Strict cookie, Secure unless on the loopback over HTTP", async () => {
    const { res, cookie } = await signIn(CONSOLE_USERS.admin);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/console/flows");
    expect(cookie).toMatch(/^rapport_console=[\w-]{40,}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const behindProxy = await signIn(CONSOLE_USERS.admin, { "x-forwarded-proto": "https" });
    expect(behindProxy.cookie).toMatch(/; Secure$/);
    const row = await t.app.db.prisma.consoleSession.findFirstOrThrow({ where: { userName: "ada" } });
    expect(cookie).not.toContain(row.id); // only the token's hash is stored
  });

  it("refuses a sign-in posted from another site", async () => {
    const res = await fetch(`${t.base}/console/sign-in`, { method: "POST", headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" }, body: "name=ada&password=x" });
    expect(res.status).toBe(403);
  });
});

describe("console CSRF and roles", () => {
  it("refuses a state-changing request without the session's CSRF token, or from another origin", async () => {
    const { session } = await signIn(CONSOLE_USERS.lead);
    const noToken = await fetch(`${t.base}/console/tickets/x/claim`, { method: "POST", headers: { cookie: session, "content-type": "application/x-www-form-urlencoded" }, body: "" });
    expect(noToken.status).toBe(403);
    const csrf = await csrfOf(session);
    const otherSite = await fetch(`${t.base}/console/tickets/x/claim`, { method: "POST", headers: { cookie: session, origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" }, body: `_csrf=${csrf}` });
    expect(otherSite.status).toBe(403);
    const ok = await fetch(`${t.base}/console/tickets/x/claim`, { method: "POST", headers: { cookie: session, "content-type": "application/x-www-form-urlencoded" }, body: `_csrf=${csrf}` });
    expect(ok.status).toBe(404); // past the checks: there is no ticket x
  });

  it("lets each role do only its part: marketers no contacts, support leads no erasing", async () => {
    const marketer = (await signIn(CONSOLE_USERS.marketer)).session;
    expect((await fetch(`${t.base}/console/contacts`, { headers: { cookie: marketer } })).status).toBe(403);
    expect((await fetch(`${t.base}/console/reports`, { headers: { cookie: marketer } })).status).toBe(200);
    const lead = (await signIn(CONSOLE_USERS.lead)).session;
    const csrf = await csrfOf(lead);
    const erase = await fetch(`${t.base}/console/contacts/abc/erase`, { method: "POST", headers: { cookie: lead, "x-csrf-token": csrf } });
    expect(erase.status).toBe(403);
    expect(await erase.text()).toContain("cannot erase a person");
  });

  it("ends the session at sign-out and records it", async () => {
    const { session } = await signIn(CONSOLE_USERS.marketer);
    const csrf = await csrfOf(session);
    const out = await fetch(`${t.base}/console/sign-out`, { method: "POST", redirect: "manual", headers: { cookie: session, "content-type": "application/x-www-form-urlencoded" }, body: `_csrf=${csrf}` });
    expect(out.status).toBe(303);
    expect((await fetch(`${t.base}/console/flows`, { redirect: "manual", headers: { cookie: session } })).status).toBe(303);
    expect(await t.app.db.prisma.auditEntry.count({ where: { action: "console.sign_out", actor: "console:mia" } })).toBe(1);
  });

  it("serves pages with a Content-Security-Policy that allows only the console's own files", async () => {
    const { session } = await signIn(CONSOLE_USERS.admin);
    const res = await fetch(`${t.base}/console/flows`, { headers: { cookie: session } });
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const html = await res.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline script
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // nothing from another site (the SVG namespace aside)
  });
});

describe("console campaigns and consent", () => {
  const SPRING = "audience: { segment: at_risk }\nmessage: { text: campaigns:winback.text, count: contact.points }\n";

  it("shows a contact's marketing consent with its changes, and their campaign deliveries", async () => {
    const contact = await t.app.db.prisma.contact.create({ data: { id: newId(), displayName: "Consent Carla", segment: "at_risk" } });
    await t.app.db.prisma.channelIdentity.create({ data: { channel: "test", externalId: "carla", contactId: contact.id } });
    await setConsent(t.app.db, contact.id, "granted", "operator", new Date("2026-10-01T08:00:00Z"));
    await setConsent(t.app.db, contact.id, "denied", "chat", new Date("2026-10-05T09:30:00Z"));
    const spring = await t.app.campaigns.store.send(loadCampaignFile("flows/campaigns/spring.yaml", SPRING).campaign!, "operator:test");
    await t.app.db.prisma.campaignDelivery.create({ data: { id: newId(), campaignId: spring.id, contactId: contact.id, variant: "a", status: "skipped", reason: "opted_out", dueAt: new Date(), key: `campaign:${spring.id}:${contact.id}:a` } });
    const lead = (await signIn(CONSOLE_USERS.lead)).session;
    const html = await (await fetch(`${t.base}/console/contacts/${contact.id}`, { headers: { cookie: lead } })).text();
    expect(html).toContain('<b id="c-consent">refused (no)</b> since 2026-10-05 09:30 UTC');
    expect(html).toMatch(/<span id="c-may-market">no: they said no<\/span>/);
    expect(html).toMatch(/<td>2026-10-05 09:30 UTC<\/td><td>agreed \(yes\)<\/td><td>refused \(no\)<\/td><td>the customer, in chat<\/td>/);
    expect(html).toMatch(/<td>2026-10-01 08:00 UTC<\/td><td>never said<\/td><td>agreed \(yes\)<\/td><td>an operator<\/td>/);
    expect(html).toMatch(/<tr data-campaign="spring" data-status="skipped"><td>spring <small>\(running\)<\/small><\/td><td>a<\/td><td>skipped: they said no to marketing<\/td>/);
    // A playground test customer is never in an audience, whatever their consent.
    const tester = await t.app.db.prisma.contact.create({ data: { id: newId(), displayName: "Tester", marketingConsent: "granted" } });
    await t.app.db.prisma.channelIdentity.create({ data: { channel: "webchat", externalId: "pg-00112233445566778899aabbccddeeff", contactId: tester.id } });
    const page = await (await fetch(`${t.base}/console/contacts/${tester.id}`, { headers: { cookie: lead } })).text();
    expect(page).toMatch(/<span id="c-may-market">no: a playground test customer/);
  });

  it("lets a marketer read campaign results as a chart, a table and CSV rows; a bad period is refused", async () => {
    const mia = (await signIn(CONSOLE_USERS.marketer)).session;
    const html = await (await fetch(`${t.base}/console/reports`, { headers: { cookie: mia } })).text();
    expect(html).toMatch(/<rect class="part"[^>]* data-bar="spring" data-part="Skipped" data-value="1">/);
    expect(html).toMatch(/<tr data-campaign="spring">.*<td data-m="audience">1<\/td>/s);
    const csv = await (await fetch(`${t.base}/console/reports.csv`, { headers: { cookie: mia } })).text();
    expect(csv).toContain("campaign,audience,spring,1\n");
    expect(csv).toContain("campaign,skipped_opted_out,spring,1\n");
    const bad = await fetch(`${t.base}/console/reports.csv?from=2026-13-01`, { headers: { cookie: mia } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("from:");
    expect((await fetch(`${t.base}/console/contacts/x`, { headers: { cookie: mia } })).status).toBe(403); // consent and deliveries are customer data
  });

  it("lists campaign files on the flows page with their diagram, and a broken one with its problem's position", async () => {
    mkdirSync(join(t.flowsDir, "campaigns"), { recursive: true });
    writeFileSync(join(t.flowsDir, "campaigns", "zz-typo.yaml"), "audience: { segment: at_risk }\nmessage: { text: campaigns:winback.text, buttons: [{ label: campaigns:winback.button, flow: rewardz }] }\n");
    const mia = (await signIn(CONSOLE_USERS.marketer)).session;
    const list = await (await fetch(`${t.base}/console/flows`, { headers: { cookie: mia } })).text();
    expect(list).toMatch(/<a href="\/console\/flows\?campaign=winback">winback<\/a>/);
    expect(list).toMatch(/<a href="\/console\/flows\?campaign=zz-typo">zz-typo<\/a> <span class="badge bad">1 problem<\/span>/);
    const winback = await (await fetch(`${t.base}/console/flows?campaign=winback`, { headers: { cookie: mia } })).text();
    expect(winback).toContain('<div class="diagram" data-campaign="winback" data-variants="1">');
    expect(winback).toContain('data-to="flow:rewards"');
    const typo = await (await fetch(`${t.base}/console/flows?campaign=zz-typo`, { headers: { cookie: mia } })).text();
    expect(typo).toMatch(/zz-typo\.yaml:2:\d+<\/code> there is no flow &quot;rewardz&quot;; did you mean &quot;rewards&quot;\?/);
    expect(typo).toContain('data-campaign="zz-typo"'); // its diagram still shows
  });
});

// Last: after this, sign-ins from this address wait a minute.
describe("console sign-in limits", () => {
  it("refuses a wrong password with 401, then 429 after ten from one address", async () => {
    const wrong = await signIn({ name: "ada", password: "wrong password" });
    expect(wrong.res.status).toBe(401);
    expect(wrong.cookie).toBe("");
    expect(await wrong.res.text()).toContain("Wrong user name or password.");
    let last = 0;
    for (let i = 0; i < 10; i++) last = (await signIn({ name: "nobody", password: "x" })).res.status;
    expect(last).toBe(429);
  });
});
