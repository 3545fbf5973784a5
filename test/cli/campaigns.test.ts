import { describe, expect, it } from "vitest";
import { CampaignConfirmationError, runCampaignsChange, runCampaignsPreview, runCampaignsSend, runCampaignsStatus } from "../../src/cli/campaigns";
import { testDialect } from "../helpers/database";
import { useTestApps } from "../helpers/testApp";

// Issue 15: `rapport campaigns …` over the shipped example campaign (flows/campaigns/winback.yaml); lint in campaignsLint.test.ts.

const start = useTestApps();

function sink() {
  let text = "";
  return { stream: { write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WritableStream, text: () => text };
}

describe(`rapport campaigns (${testDialect})`, { timeout: 90_000 }, () => {
  it("preview (text and JSON), send only with --yes, status and pause", async () => {
    const t = await start({ campaignRules: { consent: "opt_out", timeZone: "UTC" } });
    for (const u of ["ann", "bo"]) { await t.say(u, "/language"); await t.say(u, "cancel"); }
    // both went quiet 40 days ago and are at risk; bo said /stop
    await t.app.db.prisma.interaction.updateMany({ data: { occurredAt: new Date(Date.now() - 40 * 86_400_000) } });
    await t.app.db.prisma.contact.updateMany({ data: { segment: "at_risk" } });
    const bo = (await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: "bo" } })).contactId;
    await t.app.db.prisma.contact.update({ where: { id: bo }, data: { marketingConsent: "denied" } });

    const json = sink();
    expect(await runCampaignsPreview(t.app, "winback", true, json.stream)).toBe(0);
    expect(JSON.parse(json.text())).toEqual({ campaign: "winback", audience: 2, send: 1, deferred: { capped: 0, quiet_hours: 0 }, skipped: { opted_out: 1, no_consent: 0, unreachable: 0 }, variants: { a: 2 } });
    const text = sink();
    await runCampaignsPreview(t.app, "winback", false, text.stream);
    expect(text.text()).toContain("campaign winback: 2 in the audience\n  now          1\n");

    await expect(runCampaignsSend(t.app, "winback", { yes: false, json: false, actor: "operator:test" }, sink().stream)).rejects.toBeInstanceOf(CampaignConfirmationError);
    expect(await t.app.db.prisma.campaign.count()).toBe(0);
    const sent = sink();
    expect(await runCampaignsSend(t.app, "winback", { yes: true, json: false, actor: "operator:test" }, sent.stream)).toBe(0);
    expect(sent.text()).toMatch(/^campaign winback sent to the running bot/);
    await t.app.campaigns.runner.round();

    const status = sink();
    await runCampaignsStatus(t.app, "winback", true, status.stream);
    expect(JSON.parse(status.text())).toMatchObject({ audience: 2, sent: 1, delivered: 1, failed: 0, skipped: { opted_out: 1 }, converted: { customers: 0 }, bonusPoints: 100 });
    const human = sink();
    await runCampaignsStatus(t.app, "winback", false, human.stream);
    expect(human.text()).toContain("audience 2, sent 1, delivered 1, failed 0, blocked 0");

    const paused = sink();
    await expect(runCampaignsChange(t.app, "winback", "pause", { json: false, actor: "operator:test" }, paused.stream)).rejects.toThrow(/is done; it cannot be paused/);
  });
});
