import { describe, expect, it } from "vitest";
import { ConfirmationNeededError, runEventsSend } from "../../src/cli/eventsSend";
import { UsageError } from "../../src/cli/UsageError";
import { testDialect } from "../helpers/database";
import { useTestApps, type TestApp } from "../helpers/testApp";
import type { CampaignRules } from "../../src/campaigns/eligibility";

const start = useTestApps();
/** The default consent mode, no cap, no quiet hours (a test must not depend on the time of day). */
const OPT_IN: CampaignRules = { consent: "opt_in", timeZone: "UTC" };

function sink() {
  let text = "";
  return { stream: { write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WritableStream & { isTTY?: boolean }, text: () => text };
}

/** `n` customers who wrote once, the first `atRisk` of them in the at_risk segment. */
async function customers(t: TestApp, n: number, atRisk = 0): Promise<string[]> {
  const users = Array.from({ length: n }, (_, i) => `u${String(i).padStart(2, "0")}`);
  for (const u of users) await t.say(u, "/help");
  const ids = (await t.app.db.prisma.channelIdentity.findMany({ orderBy: { externalId: "asc" } })).map((i) => i.contactId);
  await t.app.db.prisma.contact.updateMany({ where: { id: { in: ids.slice(0, atRisk) } }, data: { segment: "at_risk" } });
  return users;
}

const send = (t: TestApp, event: string, audience: { contacts?: string[]; segment?: string; all?: boolean }, options: { data?: string; yes?: boolean } = {}) => {
  const out = sink();
  const done = runEventsSend(t.app, event, { contacts: audience.contacts ?? [], segment: audience.segment, all: audience.all ?? false }, { ...options, actor: "operator:test" }, out.stream);
  return { done, out };
};

describe(`rapport events send (${testDialect})`, () => {
  it("starts an event (an NPS survey) for a segment as a one-off campaign: once each, never for who said /stop, consent not required", async () => {
    const t = await start({ campaignRules: OPT_IN });
    const users = await customers(t, 4, 3);
    await t.say(users[2]!, "/stop");
    const { done, out } = send(t, "nps.ask", { segment: "at_risk" }, { data: '{"campaign":"nov"}' });
    expect(await done).toBe(0);
    expect(out.text()).toMatch(/^3 customers \(segment at_risk\) get nps\.ask from the running bot \(npm start\) as campaign (nps\.ask-\d{8}-\d{6}), leaving out who said \/stop, later for who is busy, in quiet hours or over the frequency cap; follow it with: rapport campaigns status \1\n$/);
    const name = /as campaign (\S+),/.exec(out.text())![1]!;
    expect(await t.app.campaigns.runner.round()).toBe(2);
    expect(await t.app.campaigns.runner.round()).toBe(0);
    const prompt = t.app.translator().t("en", "feedback:nps.prompt");
    expect(t.channel.sent.filter((s) => s.message.text === prompt).map((s) => s.to.externalUserId).sort()).toEqual(["u00", "u01"]);
    expect(await t.app.campaigns.report(name)).toMatchObject({ status: "done", audience: 3, sent: 2, skipped: { opted_out: 1 } });
    expect((await t.app.db.prisma.auditEntry.findFirstOrThrow({ where: { action: "campaign.send" } })).actor).toBe("operator:test");
  });

  it("refuses an event no flow listens to, with the closest one, and schedules nothing", async () => {
    const t = await start({ campaignRules: OPT_IN });
    await customers(t, 2);
    const error = await send(t, "nps.aks", { all: true }, { yes: true }).done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^no flow listens to the event "nps\.aks"; did you mean "nps\.ask"\? Events flows listen to: .*nps\.ask/);
    expect((error as Error).message).toContain("ticket.resolved");
    expect(await t.app.db.prisma.campaign.count()).toBe(0);
  });

  it("refuses a segment that does not exist, with the closest name; an existing empty one schedules nobody", async () => {
    const t = await start({ campaignRules: OPT_IN });
    await customers(t, 2);
    const error = await send(t, "nps.ask", { segment: "champion" }).done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('there is no segment "champion"; did you mean "champions"? Segments: champions, loyal, potential, at_risk, lost, needs_attention');
    const empty = send(t, "nps.ask", { segment: "lost" });
    expect(await empty.done).toBe(0);
    expect(empty.out.text()).toMatch(/^0 customers \(segment lost\) get nps\.ask /);
  });

  it("a send to more than 20 customers, or to --all, says how many and needs --yes", async () => {
    const t = await start({ campaignRules: OPT_IN });
    const users = await customers(t, 21, 21);
    for (const audience of [{ segment: "at_risk" }, { all: true }, { contacts: users.map((u) => `test:${u}`) }]) {
      const error = await send(t, "nps.ask", audience).done.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfirmationNeededError);
      expect((error as ConfirmationNeededError).code).toBe("rapport_confirmation_needed");
      expect((error as Error).message).toMatch(/^nps\.ask would start for 21 customers \((segment at_risk|everyone|the contacts listed)\); nothing was sent\n {2}hint: add --yes to send it$/);
    }
    expect(await t.app.db.prisma.campaign.count()).toBe(0);
    const few = send(t, "nps.ask", { contacts: users.slice(0, 20).map((u) => `test:${u}`) }); // 20 is not a campaign
    expect(await few.done).toBe(0);
    const all = send(t, "nps.ask", { all: true }, { yes: true });
    expect(await all.done).toBe(0);
    expect(all.out.text()).toMatch(/^21 customers \(everyone\) get nps\.ask /);
    // two sends in one second are two campaigns
    expect((await t.app.db.prisma.campaign.findMany({ select: { name: true } })).map((c) => c.name)).toHaveLength(2);
    await t.app.campaigns.runner.round();
    expect(await t.app.db.prisma.campaignDelivery.count()).toBe(41);
  });

  it("refuses no audience or two, and data that is not a JSON object", async () => {
    const t = await start({ campaignRules: OPT_IN });
    await expect(send(t, "nps.ask", {}).done).rejects.toThrow("exactly one of --contact");
    await expect(send(t, "nps.ask", { segment: "lost", all: true }).done).rejects.toThrow("exactly one of --contact");
    await expect(send(t, "nps.ask", { all: true }, { data: "[1]", yes: true }).done).rejects.toThrow("--data must be a JSON object");
    await expect(send(t, "nps.ask", { all: true }, { data: "{", yes: true }).done).rejects.toThrow(`--data must be a JSON object, e.g. '{"campaign":"nov"}'; got {`);
    expect(await t.app.db.prisma.campaign.count()).toBe(0);
  });

  it("ConfirmationNeededError reads as it should", () => {
    expect(new ConfirmationNeededError("nps.ask", 1, "everyone").message).toBe("nps.ask would start for 1 customer (everyone); nothing was sent\n  hint: add --yes to send it");
  });
});
