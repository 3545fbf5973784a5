/**
 * Campaigns through the outbox (issue 15, "Delivery"; issue 13's one way out): a recipient's claim,
 * bonus, history row, cap counter and outbox row commit together or not at all; what was committed
 * is sent once by whichever process runs the channel; pause holds and cancel stops the campaign's
 * messages still in the outbox; the report reads what the outbox made of each message. Both databases.
 */
import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { createApp, type App } from "../../src/app/createApp";
import { loadCampaignFile } from "../../src/campaigns/loadCampaignFile";
import type { Campaign } from "../../src/campaigns/Campaign";
import type { CampaignRules } from "../../src/campaigns/eligibility";
import type { Channel } from "../../src/core/Channel";
import { RecipientUnreachableError } from "../../src/core/errors";
import { silentLogger } from "../../src/core/log";
import type { Address, OutboundMessage } from "../../src/core/message";
import type { Database } from "../../src/db/Database";
import { dropDatabase, freshDatabaseUrl, testDialect } from "../helpers/database";
import { ROOT, startTestApp, type TestApp } from "../helpers/testApp";

const OPEN: CampaignRules = { consent: "opt_out", timeZone: "UTC" };
const FAST = { ratePerSecond: 1000, concurrency: 2 };
const WINBACK = `
audience: { segment: at_risk }
message: { text: campaigns:winback.text, count: bonus.points }
bonus: { points: 100 }
`;

const apps: { close(): Promise<void> }[] = [];
const urls: string[] = [];
afterEach(async () => {
  for (const a of apps.splice(0).reverse()) await a.close();
  for (const u of urls.splice(0)) await dropDatabase(u);
});

function campaign(name: string, yaml = WINBACK): Campaign {
  const { campaign: c, problems } = loadCampaignFile(`flows/campaigns/${name}.yaml`, yaml);
  expect(problems).toEqual([]);
  return c!;
}

/** Rapport on `url` with no channel attached: what it stores is left for a process that has one (or that crashed before sending). */
async function channelless(url: string, outbox: { campaignRatePerSecond?: number } = {}): Promise<App> {
  const app = await createApp({
    settings: { databaseUrl: url, flowsDir: join(ROOT, "flows"), localesDir: join(ROOT, "locales"), hotReload: false, dbRetrySeconds: 2, campaignRules: OPEN },
    log: silentLogger, campaigns: FAST, engine: { outbox: { leaseMs: 1000, ...outbox } },
  });
  apps.push(app);
  return app;
}

async function sharedUrl(): Promise<string> {
  const url = await freshDatabaseUrl();
  urls.push(url);
  return url;
}

/** Contacts in the at_risk segment, each with a test-channel identity named after them. */
async function seed(db: Database, names: string[]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const n of names) {
    ids[n] = `c_${n}`;
    await db.prisma.contact.create({ data: { id: ids[n]!, displayName: n, locale: "en", segment: "at_risk" } });
    await db.prisma.channelIdentity.create({ data: { channel: "test", externalId: n, contactId: ids[n]! } });
  }
  return ids;
}

/** The test channel; `fail` may throw for a chat (a blocked bot, a refused message, a 502). */
class ScriptedChannel implements Channel {
  readonly name = "test";
  readonly sent: { to: Address; message: OutboundMessage }[] = [];
  constructor(private readonly fail: (to: Address) => void = () => {}) {}
  async start() {}
  async stop() {}
  async send(to: Address, message: OutboundMessage) {
    this.fail(to);
    this.sent.push({ to, message });
    return { externalMessageId: String(this.sent.length) };
  }
  to(user: string) {
    return this.sent.filter((s) => s.to.externalUserId === user);
  }
}

/** Makes every campaign outbox insert fail, as a process killed between the claim and the enqueue would leave it. */
async function crashBeforeEnqueue(db: Database): Promise<() => Promise<void>> {
  if (db.dialect === "postgresql") {
    await db.prisma.$executeRawUnsafe(`CREATE FUNCTION crash_campaign_enqueue() RETURNS trigger AS $$ BEGIN
      IF NEW.idempotency_key LIKE 'campaign:%' THEN RAISE EXCEPTION 'simulated crash before the enqueue'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await db.prisma.$executeRawUnsafe("CREATE TRIGGER crash_campaign_enqueue BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION crash_campaign_enqueue()");
    return async () => { await db.prisma.$executeRawUnsafe("DROP TRIGGER crash_campaign_enqueue ON outbox"); };
  }
  await db.prisma.$executeRawUnsafe(`CREATE TRIGGER crash_campaign_enqueue BEFORE INSERT ON outbox WHEN NEW.idempotency_key LIKE 'campaign:%'
    BEGIN SELECT RAISE(ABORT, 'simulated crash before the enqueue'); END`);
  return async () => { await db.prisma.$executeRawUnsafe("DROP TRIGGER crash_campaign_enqueue"); };
}

describe(`campaigns through the outbox (${testDialect})`, { timeout: 60_000 }, () => {
  it("a crash between the claim and the enqueue leaves nothing half done: no claim, bonus, history or cap count; sent once later", async () => {
    const t = await startTestApp({ campaignRules: { ...OPEN, frequencyCap: { count: 1, windowMs: 86_400_000 } }, campaigns: FAST });
    apps.push(t);
    const ids = await seed(t.app.db, ["ann", "bo"]);
    await t.app.campaigns.store.send(campaign("winback"), "operator:test");
    const restore = await crashBeforeEnqueue(t.app.db);
    await expect(t.app.campaigns.runner.round()).rejects.toThrow();
    const deliveries = await t.app.db.prisma.campaignDelivery.findMany();
    expect(deliveries.map((d) => [d.status, d.queuedAt, d.bonusPoints])).toEqual([["pending", null, 0], ["pending", null, 0]]);
    expect(await t.app.db.prisma.ledgerEntry.count()).toBe(0);
    expect(await t.app.db.prisma.interaction.count({ where: { kind: "campaign" } })).toBe(0);
    expect(await t.app.db.prisma.outboxMessage.count()).toBe(0);
    expect(t.channel.sent).toHaveLength(0);

    await restore();
    expect(await t.app.campaigns.runner.round()).toBe(2);
    await t.app.campaigns.runner.round();
    for (const n of ["ann", "bo"]) expect(t.channel.sent.filter((s) => s.to.externalUserId === n)).toHaveLength(1);
    expect((await t.app.db.prisma.contact.findUniqueOrThrow({ where: { id: ids.ann! } })).points).toBe(100);
    expect(await t.app.campaigns.report("winback")).toMatchObject({ status: "done", sent: 2, delivered: 2, pending: 0, queued: 0, bonusPoints: 200 });
    // the cap counted each message once: a second campaign waits
    await t.app.campaigns.store.send(campaign("again"), "operator:test");
    await t.app.campaigns.runner.round();
    expect(await t.app.campaigns.report("again")).toMatchObject({ sent: 0, pending: 2, deferred: { capped: 2 } });
  });

  it("what a process committed but never sent (it died) is sent once by the next one, and only then counted sent", async () => {
    const url = await sharedUrl();
    const first = await channelless(url);
    await seed(first.db, ["ann", "bo", "cy"]);
    await first.campaigns.store.send(campaign("winback"), "operator:test");
    expect(await first.campaigns.runner.round()).toBe(3);
    expect(await first.campaigns.report("winback")).toMatchObject({ status: "running", sent: 0, delivered: 0, pending: 3, queued: 3 });
    expect(await first.db.prisma.outboxMessage.count({ where: { status: "pending", priority: 2, source: { startsWith: "campaign:" } } })).toBe(3);
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    const second = await startTestApp({ url, campaignRules: OPEN, campaigns: FAST });
    apps.push(second);
    await second.app.campaigns.runner.round(); // nothing new claimed, nothing claimed twice
    await second.app.engine.outbox.drain();
    await second.app.campaigns.runner.round();
    for (const n of ["ann", "bo", "cy"]) expect(second.channel.sent.filter((s) => s.to.externalUserId === n)).toHaveLength(1);
    expect(await second.app.campaigns.report("winback")).toMatchObject({ status: "done", sent: 3, delivered: 3, pending: 0, queued: 0, failed: 0, bonusPoints: 300 });
    expect(await second.app.db.prisma.campaignDelivery.count({ where: { status: "sent", sentAt: { not: null } } })).toBe(3);
  });

  it("a campaign message whose send a crash cut short is not sent again (nobody messaged twice); the others are sent once", async () => {
    const url = await sharedUrl();
    const first = await channelless(url);
    const ids = await seed(first.db, ["ann", "bo", "cy"]);
    await first.campaigns.store.send(campaign("winback"), "operator:test");
    expect(await first.campaigns.runner.round()).toBe(3);
    // The first process began bo's send (status 'sending') and was killed before Telegram answered.
    await first.db.prisma.outboxMessage.updateMany({ where: { contactId: ids.bo!, source: { startsWith: "campaign:" } }, data: { status: "sending", leaseOwner: "killed", leaseUntil: new Date(Date.now() - 1_000) } });
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    const second = await startTestApp({ url, campaignRules: OPEN, campaigns: FAST });
    apps.push(second);
    await second.app.campaigns.runner.round();
    await second.app.engine.outbox.drain();
    await second.app.campaigns.runner.round();
    for (const n of ["ann", "cy"]) expect(second.channel.sent.filter((s) => s.to.externalUserId === n)).toHaveLength(1);
    expect(second.channel.sent.filter((s) => s.to.externalUserId === "bo")).toHaveLength(0);
    expect(await second.app.campaigns.report("winback")).toMatchObject({ status: "done", sent: 2, failed: 1, pending: 0, queued: 0 });
    const bo = await second.app.db.prisma.campaignDelivery.findFirstOrThrow({ where: { contactId: ids.bo! } });
    expect(bo).toMatchObject({ status: "failed" });
    expect(bo.lastError).toMatch(/^interrupted: .*not sent again/);
    expect(await second.app.db.prisma.interaction.count({ where: { contactId: ids.bo!, kind: "send.failed" } })).toBe(1);
  });

  it("pause holds the campaign's messages still in the outbox, resume sends them; cancel stops them for good and frees the cap", async () => {
    const url = await sharedUrl();
    const app = await channelless(url);
    const ids = await seed(app.db, ["ann", "bo"]);
    await app.campaigns.store.send(campaign("winback"), "operator:test");
    await app.campaigns.runner.round();
    await app.campaigns.change("winback", "pause", "operator:test");
    expect(await app.db.prisma.outboxMessage.count({ where: { status: "held" } })).toBe(2);
    const channel = new ScriptedChannel();
    app.engine.attach(channel);
    await app.engine.outbox.drain();
    expect(channel.sent).toHaveLength(0);
    expect(await app.campaigns.report("winback")).toMatchObject({ status: "paused", sent: 0, pending: 2, queued: 2 });
    await app.campaigns.change("winback", "resume", "operator:test");
    await app.engine.outbox.drain();
    expect(channel.to("ann")).toHaveLength(1);
    expect(channel.to("bo")).toHaveLength(1);

    // claimed by a process without the channel (another instance runs it), then cancelled before it was sent
    await app.campaigns.store.send(campaign("news"), "operator:test");
    const other = await channelless(url);
    await other.campaigns.runner.round();
    expect(await app.campaigns.report("news")).toMatchObject({ queued: 2 });
    await app.campaigns.change("news", "cancel", "operator:test");
    await app.engine.outbox.drain();
    await app.campaigns.runner.round();
    expect(channel.sent).toHaveLength(2);
    expect(await app.db.prisma.outboxMessage.count({ where: { status: "cancelled" } })).toBe(2);
    expect(await app.campaigns.report("news")).toMatchObject({ status: "cancelled", sent: 0, pending: 0, queued: 0, skipped: { cancelled: 2 } });
    expect((await app.db.prisma.interaction.findMany({ where: { contactId: ids.ann!, kind: "send.cancelled" } }))).toHaveLength(1);
    // cancelled messages do not count against the frequency cap (it counts claims by queuedAt)
    const d = await app.db.prisma.campaignDelivery.findMany({ where: { campaign: { name: "news" } }, select: { queuedAt: true, status: true, reason: true } });
    expect(d).toEqual([{ queuedAt: null, status: "skipped", reason: "cancelled" }, { queuedAt: null, status: "skipped", reason: "cancelled" }]);
  });

  it("a pause stops campaign messages already taken by the dispatcher but waiting for their turn under the rate", async () => {
    const url = await sharedUrl();
    const app = await channelless(url, { campaignRatePerSecond: 2 });
    await seed(app.db, ["ann", "bo", "cy"]);
    await app.campaigns.store.send(campaign("winback"), "operator:test");
    await app.campaigns.runner.round();
    const channel = new ScriptedChannel();
    app.engine.attach(channel);
    const draining = app.engine.outbox.drain();
    const end = Date.now() + 5000;
    while (channel.sent.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    await app.campaigns.change("winback", "pause", "operator:test"); // the next one is due 500 ms after the first
    await draining;
    expect(channel.sent).toHaveLength(1);
    expect(await app.db.prisma.outboxMessage.count({ where: { status: "held" } })).toBe(2);
  });

  it("the report counts what the outbox made of each message: sent, failed with its reason, blocked, still retrying", async () => {
    const url = await sharedUrl();
    const app = await channelless(url);
    await seed(app.db, ["ann", "bo", "cy", "dee"]);
    await app.campaigns.store.send(campaign("winback"), "operator:test");
    await app.campaigns.runner.round();
    expect(await app.campaigns.report("winback")).toMatchObject({ audience: 4, sent: 0, pending: 4, queued: 4, failed: 0 });
    app.engine.attach(new ScriptedChannel((to) => {
      if (to.externalUserId === "bo") throw new Error("Bad Request: message text is empty");
      if (to.externalUserId === "cy") throw new RecipientUnreachableError("test", "blocked the bot");
      if (to.externalUserId === "dee") throw Object.assign(new Error("502 Bad Gateway"), { transient: true });
    }));
    await app.engine.outbox.drain();
    await app.campaigns.runner.round();
    const r = await app.campaigns.report("winback");
    expect(r).toMatchObject({ status: "running", audience: 4, sent: 1, delivered: 1, failed: 1, blocked: 1, pending: 1, queued: 1 });
    expect(r.failures).toEqual({ "Bad Request: message text is empty": 1 });
    expect(r.variants.a).toMatchObject({ sent: 1, failed: 1, blocked: 1, pending: 1 });
    expect(await app.db.prisma.campaignDelivery.findFirstOrThrow({ where: { contactId: "c_bo" } })).toMatchObject({ status: "failed", lastError: "Bad Request: message text is empty" });
  });
});
