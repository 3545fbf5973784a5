/**
 * The audit log (issue 16) on the real database: a row for each staff and operator action — claim,
 * reply, note, resolve, hand back, idea mark, referral review, export, erase, a purchase through the
 * API — with actor, time and target and never the message text; `rapport audit` filters by time and
 * actor and prints JSON; recordAudit refuses a detail that looks like text.
 */
import { describe, expect, it } from "vitest";
import { recordAudit } from "../../src/audit/record";
import { runAudit } from "../../src/cli/audit";
import { UsageError } from "../../src/cli/UsageError";
import { newId } from "../../src/core/ids";
import { IDEAS } from "../../src/feedback/Ideas";
import { REFERRALS } from "../../src/referrals/Referrals";
import { testDialect } from "../helpers/database";
import { useTestApps } from "../helpers/testApp";

const startApp = useTestApps();
const SECRET = "my card number is 4111 1111";

function sink() {
  let text = "";
  return { out: { write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WritableStream, text: () => text };
}

describe(`audit log (${testDialect})`, () => {
  it("records staff and operator actions with actor and target, without message text", async () => {
    const t = await startApp();
    const p = t.app.db.prisma;
    await t.say("ann", "/start");
    const ann = (await p.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: "ann" } } })).contactId;
    const desk = t.app.support;
    const first = await desk.open({ contactId: ann, question: SECRET, reason: "command", key: "k1" });
    await p.ticket.update({ where: { id: first.ticketId }, data: { staffChannel: "CSUP", cardRef: "100.1" } });
    await desk.claim(first.ticketId, "UANNA");
    await desk.fromStaff({ card: { channel: "CSUP", ts: "100.1" }, message: { channel: "CSUP", ts: "100.2" }, staffUserId: "UANNA", text: `you wrote: ${SECRET}` });
    await desk.fromStaff({ card: { channel: "CSUP", ts: "100.1" }, message: { channel: "CSUP", ts: "100.3" }, staffUserId: "UBORIS", text: `note: ${SECRET}` });
    await desk.resolve(first.ticketId, "UANNA");
    const second = await desk.open({ contactId: ann, question: "again", reason: "command", key: "k2" });
    await desk.handBack(second.ticketId, "UBORIS");
    const idea = await t.app.services.get(IDEAS).propose(ann, "Gift wrapping please", "i1");
    await t.app.services.get(IDEAS).mark(idea.id, "planned", "UANNA");
    const friend = newId();
    await p.contact.create({ data: { id: friend } });
    const referral = await p.referral.create({ data: { id: newId(), referrerId: ann, friendId: friend, code: "c", status: "held", reason: "burst" } });
    await t.app.services.get(REFERRALS).review(referral.id, false, "alice");
    await t.app.rights.export(ann, "operator:alice");

    const rows = await p.auditEntry.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.actor, r.action, r.targetType, r.targetId])).toEqual([
      ["agent:UANNA", "ticket.claim", "ticket", first.ticketId],
      ["agent:UANNA", "ticket.reply", "ticket", first.ticketId],
      ["agent:UBORIS", "ticket.note", "ticket", first.ticketId],
      ["agent:UANNA", "ticket.resolve", "ticket", first.ticketId],
      ["agent:UBORIS", "ticket.hand_back", "ticket", second.ticketId],
      ["agent:UANNA", "idea.mark", "idea", idea.id],
      ["operator:alice", "referral.review", "referral", referral.id],
      ["operator:alice", "contact.export", "contact", ann],
    ]);
    expect(rows.every((r) => r.at instanceof Date)).toBe(true);
    expect(JSON.parse(rows[6]!.detail!)).toEqual({ decision: "reject", from: "held", status: "reversed" });
    expect(JSON.stringify(rows)).not.toContain("4111");

    // rapport audit: by actor (one, or all staff with "agent:"), since, JSON.
    const staff = sink();
    await runAudit(p, { actor: "agent:" }, staff.out);
    expect(staff.text()).toContain("6 entries");
    const json = sink();
    await runAudit(p, { actor: "operator:alice", json: true }, json.out);
    expect(JSON.parse(json.text()).entries.map((e: { action: string }) => e.action)).toEqual(["referral.review", "contact.export"]);
    const later = sink();
    await runAudit(p, { since: new Date(Date.now() + 60_000).toISOString() }, later.out);
    expect(later.text()).toBe("0 entries\n");
    await expect(runAudit(p, { since: "yesterday" }, sink().out)).rejects.toBeInstanceOf(UsageError);
  });

  it("refuses a detail that looks like text, writing nothing", async () => {
    const t = await startApp();
    await expect(recordAudit(t.app.db.prisma, { actor: "system", action: "x", target: { type: "contact" }, detail: { text: "a".repeat(201) } })).rejects.toThrow(/never text/);
    expect(await t.app.db.prisma.auditEntry.count()).toBe(0);
  });
});
