import { describe, expect, it } from "vitest";
import { campaignResults } from "../../src/campaigns/campaignResults";
import { contactDeliveries } from "../../src/campaigns/contactDeliveries";
import type { CampaignRules } from "../../src/campaigns/eligibility";
import { loadCampaignFile } from "../../src/campaigns/loadCampaignFile";
import { useTestApps, type TestApp } from "../helpers/testApp";

// What the console's reports page and contact page read about campaigns (issue 18), on both databases:
// the campaigns that ran in a period with their results by outcome, and one contact's deliveries.

const start = useTestApps();
const HOUR = 3_600_000;

function campaign(name: string, yaml: string) {
  const { campaign: c, problems } = loadCampaignFile(`flows/campaigns/${name}.yaml`, yaml);
  expect(problems).toEqual([]);
  return c!;
}

async function customer(t: TestApp, name: string, attributes: Record<string, unknown> = {}): Promise<string> {
  await t.say(name, "/language");
  await t.say(name, "cancel");
  const id = (await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: name } } })).contactId;
  await t.app.db.prisma.contact.update({ where: { id }, data: { segment: "at_risk", attributes: JSON.stringify(attributes) } });
  return id;
}

describe("campaign results for the console", { timeout: 90_000 }, () => {
  it("reports each campaign of the period by outcome, and each contact's deliveries", async () => {
    const now = new Date();
    const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
    // Quiet hours around now in UTC; Tokyo (UTC+9) is outside them.
    const rules: CampaignRules = { consent: "opt_out", timeZone: "UTC", frequencyCap: { count: 1, windowMs: 7 * 86_400_000 }, quietHours: { start: (minute + 1440 - 60) % 1440, end: (minute + 60) % 1440 } };
    const t = await start({ campaignRules: rules, campaigns: { ratePerSecond: 1000, concurrency: 2 } });
    const tokyo = { time_zone: "Asia/Tokyo" };
    const ids = {
      ann: await customer(t, "ann", tokyo), // reached
      bo: await customer(t, "bo", tokyo), // had "first" already: over the cap
      cy: await customer(t, "cy", tokyo), // said /stop
      dee: await customer(t, "dee"), // quiet hours (UTC)
      eve: await customer(t, "eve", tokyo), // blocked the bot
    };
    await t.say("cy", "/stop");
    await t.app.db.prisma.contact.update({ where: { id: ids.eve }, data: { unreachable: true } });
    await t.app.campaigns.store.send(campaign("first", `audience: { contacts: [${ids.bo}] }\nmessage: { text: campaigns:winback.text, count: contact.points }\n`), "operator:test");
    expect(await t.app.campaigns.runner.round()).toBe(1);
    await t.app.engine.outbox.drain(); // sent now, whether the runner sends or leaves it to the outbox
    await t.app.campaigns.store.send(campaign("winback", "audience: { segment: at_risk }\nmessage: { text: campaigns:winback.text, count: contact.points }\n"), "operator:test");
    expect(await t.app.campaigns.runner.round()).toBe(1);
    await t.app.engine.outbox.drain();
    await t.say("ann", "thanks!"); // a reply within the window

    const period = { from: new Date(now.getTime() - 24 * HOUR), to: new Date(now.getTime() + HOUR) };
    const results = await campaignResults(t.app.db, period);
    expect(results.map((r) => r.campaign)).toEqual(["winback", "first"]); // newest first
    expect(results[0]).toMatchObject({
      status: "running", audience: 5, sent: 1, delivered: 1, failed: 0, blocked: 0, pending: 2,
      deferred: { capped: 1, quiet_hours: 1 }, skipped: { opted_out: 1, no_consent: 0, unreachable: 1, cancelled: 0 }, replied: 1, optedOut: 0,
    });
    expect(results[1]).toMatchObject({ audience: 1, delivered: 1 });
    // A period before they started shows none; one after "first" finished shows only winback.
    expect(await campaignResults(t.app.db, { from: new Date(now.getTime() - 48 * HOUR), to: new Date(now.getTime() - 24 * HOUR) })).toEqual([]);
    await t.app.db.prisma.campaign.update({ where: { name: "first" }, data: { status: "done", finishedAt: new Date(now.getTime() - HOUR) } });
    expect((await campaignResults(t.app.db, { from: new Date(now.getTime() - HOUR / 2), to: period.to })).map((r) => r.campaign)).toEqual(["winback"]);

    const bo = await contactDeliveries(t.app.db, ids.bo);
    expect(bo.map((d) => [d.campaign, d.status, d.reason])).toEqual([["winback", "pending", "capped"], ["first", "sent", null]]);
    expect(bo[1]!.sentAt).toBeInstanceOf(Date);
    expect((await contactDeliveries(t.app.db, ids.cy)).map((d) => [d.status, d.reason])).toEqual([["skipped", "opted_out"]]);
    expect((await contactDeliveries(t.app.db, ids.dee)).map((d) => [d.status, d.reason])).toEqual([["pending", "quiet_hours"]]);

    // A delivery handed to the outbox and still "queued" (the runner has not read the outcome back yet)
    // takes its outcome from the outbox row keyed like it.
    const annDelivery = await t.app.db.prisma.campaignDelivery.findFirstOrThrow({ where: { contactId: ids.ann, campaign: { name: "winback" } } });
    await t.app.db.prisma.campaignDelivery.update({ where: { id: annDelivery.id }, data: { status: "queued", sentAt: null } });
    const { sentAt } = await t.app.db.prisma.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: annDelivery.key } });
    expect(sentAt).toBeInstanceOf(Date);
    expect(await contactDeliveries(t.app.db, ids.ann)).toMatchObject([{ campaign: "winback", status: "sent", sentAt }]);
    // Held while the campaign is paused; a failure of someone who blocked the bot shows as blocked.
    await t.app.db.prisma.outboxMessage.update({ where: { idempotencyKey: annDelivery.key }, data: { status: "held", sentAt: null } });
    expect((await contactDeliveries(t.app.db, ids.ann))[0]!.status).toBe("held");
    await t.app.db.prisma.outboxMessage.update({ where: { idempotencyKey: annDelivery.key }, data: { status: "failed", lastError: "Forbidden: bot was blocked by the user" } });
    await t.app.db.prisma.contact.update({ where: { id: ids.ann }, data: { unreachable: true } });
    expect(await contactDeliveries(t.app.db, ids.ann)).toMatchObject([{ status: "blocked", lastError: "Forbidden: bot was blocked by the user" }]);
  });
});
