/**
 * Export and erase end to end on the real database (both, in CI), with the shipped flows: a customer
 * with a row in every table of CONTACT_TABLES is exported (every section non-empty), then erased;
 * afterwards no text column of any table holds their name, username or words, the ledger verifies,
 * the report's totals are the same, nothing is left to send to them, and their next message starts
 * a new, empty contact. The erase is in the audit log without what was erased.
 */
import { describe, expect, it } from "vitest";
import { setConsent } from "../../src/marketing/consent";
import type { App } from "../../src/app/createApp";
import { newId } from "../../src/core/ids";
import { IDEAS } from "../../src/feedback/Ideas";
import { buildReport } from "../../src/feedback/report";
import { verifyLedger } from "../../src/loyalty/LoyaltyAccount";
import { PURCHASES } from "../../src/loyalty/Purchases";
import { CONTACT_TABLES } from "../../src/privacy/contactData";
import { AlreadyErasedError } from "../../src/privacy/errors";
import { EXPORT_SCHEMA_VERSION } from "../../src/privacy/exportContact";
import type { StaffRedactor } from "../../src/privacy/StaffRedactor";
import { testDialect } from "../helpers/database";
import { useTestApps, type TestApp } from "../helpers/testApp";

const startApp = useTestApps();

const NAME = "Annabelle Quist";
const USERNAME = "annaq_private";
const WORDS = "my parcel 8812 is lost in Gdansk";
const IDEA = "Quist wants gift wrapping in violet";
const NEEDLES = [NAME, USERNAME, "parcel 8812", "Quist"];

/** Ann, with a row in every contact table; Ben and Carl around her (referrals both ways, votes). */
async function seed(t: TestApp) {
  const { app } = t;
  const p = app.db.prisma;
  await t.say("ann", "/start", { sender: { externalUserId: "ann", displayName: NAME, username: USERNAME } });
  await t.say("ann", WORDS, { sender: { externalUserId: "ann", displayName: NAME, username: USERNAME } });
  await t.say("ben", "/start");
  await t.say("carl", "/start");
  const id = async (user: string) => (await p.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: user } } })).contactId;
  const [ann, ben, carl] = [await id("ann"), await id("ben"), await id("carl")];
  await p.contact.update({ where: { id: ann }, data: { referralCode: "annref1" } });
  await app.services.get(PURCHASES).record({ contactId: ann, orderId: `order-${ann}`, amountMinor: 4250, currency: "EUR", occurredAt: new Date(), items: [{ sku: "TEA-1", name: "Green tea", quantity: 1, unitPriceMinor: 4250 }] });
  const purchase = await p.purchase.findUniqueOrThrow({ where: { orderId: `order-${ann}` } });
  await p.productReview.create({ data: { id: newId(), contactId: ann, purchaseId: purchase.id, sku: "TEA-1", itemName: "Green tea", requestedAt: new Date(), score: 2, comment: `${NAME}: ${WORDS}`, answeredAt: new Date(), idempotencyKey: `r-${ann}` } });
  await p.webchatLinkCode.create({ data: { codeHash: `code-${ann}`, contactId: ann, expiresAt: new Date(Date.now() + 60_000) } });
  await p.referral.createMany({ data: [
    { id: newId(), referrerId: ann, friendId: ben, code: "annref1", status: "joined" },
    { id: newId(), referrerId: carl, friendId: ann, code: "carlref", status: "joined" },
  ] });
  const ticket = await app.support.open({ contactId: ann, question: WORDS, reason: "command", key: `t-${ann}` });
  await p.ticket.update({ where: { id: ticket.ticketId }, data: { staffChannel: "CSUPPORT", cardRef: "1700000000.000100" } });
  await p.ticketMessage.create({ data: { id: newId(), ticketId: ticket.ticketId, direction: "to_staff", text: `${NAME}: ${WORDS}`, author: "customer", staffRef: "1700000000.000200", sourceKey: `in:${newId()}`, status: "delivered", nextAttemptAt: new Date() } });
  await p.ticketMessage.create({ data: { id: newId(), ticketId: ticket.ticketId, direction: "to_staff", text: `${WORDS} (again)`, author: "customer", sourceKey: `in:${newId()}`, status: "pending", nextAttemptAt: new Date() } });
  await app.support.close(ticket.ticketId, "resolved", "agent:UANNA");
  await p.surveyResponse.create({ data: { id: newId(), contactId: ann, survey: "nps", score: 3, comment: `${NAME} says ${WORDS}`, idempotencyKey: `s-${ann}` } });
  const ideas = app.services.get(IDEAS);
  const annIdea = await ideas.propose(ann, IDEA, `idea-${ann}`);
  const benIdea = await ideas.propose(ben, "Ben wants a night shift", `idea-${ben}`);
  await ideas.vote(ben, annIdea.id, "vote-ben");
  await ideas.vote(ann, benIdea.id, "vote-ann");
  await ideas.mark(annIdea.id, "planned", "UANNA");
  await app.jobs.schedule({ kind: "event", contactId: ann, name: "nps.ask", dueAt: new Date(Date.now() + 86_400_000), key: `job-${ann}` });
  await p.conversationState.upsert({ where: { contactId: ann }, create: { contactId: ann, variables: JSON.stringify({ note: WORDS }) }, update: { variables: JSON.stringify({ note: WORDS }) } });
  // issue 15: a campaign message and a consent change are the person's data too
  await p.campaign.create({ data: { id: "camp1", name: "winback", status: "done", definition: "{}", hash: "h", startAt: new Date(), actor: "operator:ops" } });
  await p.campaignDelivery.create({ data: { id: "cd1", campaignId: "camp1", contactId: ann, variant: "a", status: "sent", dueAt: new Date(), sentAt: new Date(), key: `campaign:camp1:${ann}:a` } });
  await setConsent(app.db, ann, "denied", "operator");
  return { ann, ben, carl, ticketId: ticket.ticketId, annIdea: annIdea.id };
}

/** Every String column of every model, searched for each needle: `model.column: needle` for each hit. */
async function traces(app: App, needles: string[]): Promise<string[]> {
  const dataModel = (app.db.prisma as unknown as { _runtimeDataModel: { models: Record<string, { fields: { name: string; kind: string; type: string }[] }> } })._runtimeDataModel;
  const hits: string[] = [];
  for (const [model, { fields }] of Object.entries(dataModel.models)) {
    const delegate = (app.db.prisma as unknown as Record<string, { findMany(a: unknown): Promise<unknown[]> }>)[model.charAt(0).toLowerCase() + model.slice(1)]!;
    for (const f of fields.filter((x) => x.kind === "scalar" && x.type === "String")) {
      for (const needle of needles) {
        if ((await delegate.findMany({ where: { [f.name]: { contains: needle } } })).length > 0) hits.push(`${model}.${f.name}: ${needle}`);
      }
    }
  }
  return hits;
}

describe(`export and erase (${testDialect})`, () => {
  it("exports a row of every kind with a schema version, and records who exported", async () => {
    const t = await startApp();
    const { ann, ticketId } = await seed(t);
    const doc = await t.app.rights.export("test:ann", "operator:dpo");
    expect(doc.schemaVersion).toBe(EXPORT_SCHEMA_VERSION);
    expect(doc.contact).toMatchObject({ id: ann, displayName: NAME, username: USERNAME });
    for (const table of CONTACT_TABLES) {
      if (table.model === "AuditEntry") continue; // the export's own row is written after it is read
      expect((doc[table.section] as unknown[]).length, `section ${table.section}`).toBeGreaterThan(0);
    }
    expect((doc.referrals as { referrerId: string; friendId: string }[]).map((r) => (r.referrerId === ann ? "made" : "joined")).sort()).toEqual(["joined", "made"]);
    expect((doc.tickets as { id: string }[])[0]!.id).toBe(ticketId);
    expect((doc.history as { text: string | null }[]).some((h) => h.text === WORDS)).toBe(true);
    expect((doc.history as { kind: string; data: unknown }[]).find((h) => h.kind === "consent.denied")).toMatchObject({ data: { from: null, to: "denied", source: "operator" } });
    expect(doc.contact).toMatchObject({ marketingConsent: "denied" });
    expect(doc.campaignDeliveries).toMatchObject([{ campaignId: "camp1", status: "sent", key: `campaign:camp1:${ann}:a` }]);
    expect((doc.conversation as { variables: unknown }[])[0]!.variables).toEqual({ note: WORDS }); // JSON columns parsed
    const audit = await t.app.db.prisma.auditEntry.findMany({ where: { action: "contact.export" } });
    expect(audit).toMatchObject([{ actor: "operator:dpo", targetType: "contact", targetId: ann, detail: null }]);
    const again = await t.app.rights.export(ann, "operator:dpo");
    expect((again.audit as unknown[]).length).toBe(1); // the first export is in the second one
  }, 90_000); // a row in every table and a search of every text column: slow on a loaded machine

  it("erases every trace of text and identity, keeps the accounting balanced and the report's totals", async () => {
    const t = await startApp();
    const { ann, ben, carl, annIdea } = await seed(t);
    const p = t.app.db.prisma;
    expect((await traces(t.app, NEEDLES)).length).toBeGreaterThan(5); // the search finds them before
    const period = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) };
    const before = await buildReport(t.app.db, period);
    const ledgerBefore = await p.ledgerEntry.count();
    const interactionsBefore = await p.interaction.count();
    const annPoints = (await p.contact.findUniqueOrThrow({ where: { id: ann } })).points;

    const plan = await t.app.rights.plan("test:ann");
    expect(plan.tables.find((x) => x.section === "identities")).toMatchObject({ rows: 1, action: "delete" });
    expect(plan.copies).toHaveLength(1);
    const outcome = await t.app.rights.erase("test:ann", "operator:dpo");

    expect(await traces(t.app, [...NEEDLES, ann])).toEqual([]); // the old id is gone too: logs carry contact ids
    expect(await p.contact.findUnique({ where: { id: ann } })).toBeNull();
    const pseudonym = await p.contact.findUniqueOrThrow({ where: { id: outcome.pseudonym } });
    expect(pseudonym).toMatchObject({ displayName: null, username: null, referralCode: null, points: annPoints, unreachable: true });
    expect(pseudonym.erasedAt).toBeInstanceOf(Date);
    expect((await verifyLedger(t.app.db)).mismatches).toEqual([]);
    expect(await p.ledgerEntry.count()).toBe(ledgerBefore);
    expect(await p.interaction.count()).toBe(interactionsBefore); // the timeline's shape stays, without words
    const after = await buildReport(t.app.db, period);
    expect(after).toEqual(before);
    // Nothing more goes to them: no scheduled work, no undelivered relay messages, no live ticket.
    expect(await p.scheduledJob.count({ where: { contactId: { in: [ann, outcome.pseudonym] } } })).toBe(0);
    expect(await p.ticketMessage.count({ where: { status: "pending", ticket: { contactId: outcome.pseudonym } } })).toBe(0);
    expect(await p.ticketMessage.count({ where: { text: { not: "" }, ticket: { contactId: outcome.pseudonym } } })).toBe(0);
    // Others keep what is theirs: Ben's referral by Ann and his vote count, Carl's referral of Ann.
    expect(await p.referral.findMany({ where: { OR: [{ friendId: ben }, { referrerId: carl }] }, select: { referrerId: true, friendId: true, code: true } }))
      .toEqual(expect.arrayContaining([{ referrerId: outcome.pseudonym, friendId: ben, code: "erased" }, { referrerId: carl, friendId: outcome.pseudonym, code: "carlref" }]));
    expect(await p.idea.findUniqueOrThrow({ where: { id: annIdea } })).toMatchObject({ status: "erased", text: "", votes: 1, contactId: outcome.pseudonym });
    expect(await p.channelIdentity.count({ where: { contactId: ben } })).toBe(1);
    // The erase is recorded: when, by whom, the pseudonym; not what was erased.
    expect(await p.auditEntry.findMany({ where: { action: "contact.erase" } })).toMatchObject([{ actor: "operator:dpo", targetType: "contact", targetId: outcome.pseudonym, detail: null }]);
    // Slack is not configured here: the card and the bot's thread message are listed to remove by hand.
    expect(outcome.staff.left.map((l) => l.ref.ts).sort()).toEqual(["1700000000.000100", "1700000000.000200"]);
    // Erased is erased: a second erase is refused; the referral code is free of Ann.
    await expect(t.app.rights.erase(outcome.pseudonym, "operator:dpo")).rejects.toBeInstanceOf(AlreadyErasedError);

    // Her next message starts a new, empty contact.
    await t.say("ann", "hello again");
    const fresh = await p.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: "ann" } } });
    expect([ann, outcome.pseudonym]).not.toContain(fresh.contactId);
    const history = await t.history("ann");
    expect(history.every((h) => h.text !== WORDS)).toBe(true);
    expect(await p.purchase.count({ where: { contactId: fresh.contactId } })).toBe(0);
  }, 90_000); // a row in every table and a search of every text column: slow on a loaded machine

  it("removes the Slack copies through the staff redactor and lists what it could not", async () => {
    const t = await startApp();
    await seed(t);
    const calls: unknown[] = [];
    const redactor: StaffRedactor = {
      name: "fake",
      async removeTicket(card, known) {
        calls.push({ card, known });
        return { deleted: [card, ...known], redacted: [], left: [{ ref: { channel: card.channel, ts: "1700000000.000300" }, reason: "written by <@UANNA>" }] };
      },
    };
    t.app.rights.useStaffRedactor(redactor);
    const outcome = await t.app.rights.erase("test:ann", "customer");
    expect(calls).toEqual([{ card: { channel: "CSUPPORT", ts: "1700000000.000100" }, known: [{ channel: "CSUPPORT", ts: "1700000000.000200" }] }]);
    expect(outcome.staff.deleted).toHaveLength(2);
    expect(outcome.staff.left).toEqual([{ ref: { channel: "CSUPPORT", ts: "1700000000.000300" }, reason: "written by <@UANNA>" }]);
  });
});
