import { describe, expect, it } from "vitest";
import { useTestApps, type TestApp } from "../helpers/testApp";
import { LEDGER } from "../../src/loyalty/Ledger";
import { SUPPORT_DESK } from "../../src/support/SupportDesk";

/**
 * Issue 13, "side effects once": a turn whose action committed on its own (points redeemed, a ticket
 * opened or cancelled, the registration bonus) and which then loses the version check, because an
 * event for the same contact committed first, is run again. The re-run must not act again and must
 * take the same path: the confirmation is stored and sent, once.
 */
describe("a turn that loses the version check keeps one effect and its confirmation", () => {
  const start = useTestApps();

  /**
   * Wraps `obj[method]` so that, once, right after the effect committed, an event for the same
   * contact runs and commits first (as the job runner or another instance would): the turn that
   * called it then loses the version check. Returns how often the method ran.
   */
  function conflictAfter<T extends object>(t: TestApp, user: string, obj: T, method: keyof T): { calls: number; events: string[] } {
    const seen = { calls: 0, events: [] as string[] };
    const original = (obj[method] as (...args: unknown[]) => Promise<unknown>).bind(obj);
    (obj as Record<keyof T, unknown>)[method] = async (...args: unknown[]) => {
      const result = await original(...args);
      if (++seen.calls === 1) {
        const id = await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: user } } });
        seen.events.push(await t.app.engine.emit(id.contactId, "test.meanwhile"));
      }
      return result;
    };
    return seen;
  }

  async function contactOf(t: TestApp, user: string) {
    const id = await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: user } } });
    return t.app.db.prisma.contact.findUniqueOrThrow({ where: { id: id.contactId } });
  }

  async function outTexts(t: TestApp, user: string): Promise<string[]> {
    return (await t.history(user)).filter((e) => e.direction === "out").map((e) => e.text ?? "");
  }

  it("loyalty.redeem: points redeemed once, and the customer is told it is done (not 'not enough')", async () => {
    const t = await start();
    await t.say("ann", "/start");
    const contact = await contactOf(t, "ann");
    await t.app.services.get(LEDGER).earn(contact.id, 200 - contact.points, { reason: "test", source: "test", key: "topup" });
    await t.say("ann", "/rewards");
    const seen = conflictAfter(t, "ann", t.app.services.get(LEDGER), "redeem");
    const replies = await t.say("ann", { kind: "choice", value: "coffee" });

    expect(seen.events).toHaveLength(1); // the event committed while the turn ran: the turn was re-run
    expect(seen.calls).toBe(1); // the re-run did not redeem again
    expect(replies.map((r) => r.text)).toEqual([expect.stringMatching(/^Done! .* is yours\. You have 0 points left\.$/)]);
    expect(await t.app.db.prisma.ledgerEntry.count({ where: { contactId: contact.id, kind: "redeem" } })).toBe(1);
    expect((await contactOf(t, "ann")).points).toBe(0);
    const out = await outTexts(t, "ann");
    expect(out.filter((x) => x.startsWith("Done!"))).toHaveLength(1);
    expect(out.filter((x) => /Keep collecting/.test(x))).toEqual([]);
  });

  it("loyalty.register: the welcome gift is announced although the re-run finds the bonus paid", async () => {
    const t = await start();
    const seen = conflictAfter(t, "bea", t.app.services.get(LEDGER), "earn");
    const replies = await t.say("bea", "/start");

    expect(seen.events).toHaveLength(1);
    expect(seen.calls).toBe(1);
    expect(replies.filter((r) => /welcome gift/.test(r.text))).toHaveLength(1);
    const contact = await contactOf(t, "bea");
    expect(await t.app.db.prisma.ledgerEntry.count({ where: { contactId: contact.id } })).toBe(1);
    expect((await outTexts(t, "bea")).filter((x) => /welcome gift/.test(x))).toHaveLength(1);
  });

  it("support.escalate: one ticket, one 'passed to our team' reply, stored and sent", async () => {
    const t = await start();
    await t.say("cy", "/support");
    const seen = conflictAfter(t, "cy", t.app.services.get(SUPPORT_DESK), "open");
    const replies = await t.say("cy", "Where is my parcel?");

    expect(seen.events).toHaveLength(1);
    expect(seen.calls).toBe(1);
    const contact = await contactOf(t, "cy");
    expect(await t.app.db.prisma.ticket.count({ where: { contactId: contact.id } })).toBe(1);
    expect(await t.app.db.prisma.interaction.count({ where: { contactId: contact.id, kind: "ticket.opened" } })).toBe(1);
    expect(replies.map((r) => r.text)).toEqual([expect.stringMatching(/^Our support team is offline right now/)]);
    expect((await outTexts(t, "cy")).filter((x) => /support team is offline/.test(x))).toHaveLength(1);
  });

  it("support.cancel: the request is cancelled once and the customer hears so (not 'nothing to cancel')", async () => {
    const t = await start();
    await t.say("dee", "/support");
    await t.say("dee", "Where is my parcel?"); // queued: support is offline
    const seen = conflictAfter(t, "dee", t.app.services.get(SUPPORT_DESK), "cancelFor");
    const replies = await t.say("dee", "/cancel");

    expect(seen.events).toHaveLength(1);
    expect(seen.calls).toBe(1);
    expect(replies.map((r) => r.text)).toEqual([expect.stringMatching(/^OK, I've cancelled your request for a person/)]);
    const contact = await contactOf(t, "dee");
    expect(await t.app.db.prisma.ticket.findMany({ where: { contactId: contact.id }, select: { status: true } })).toEqual([{ status: "cancelled" }]);
    const out = await outTexts(t, "dee");
    expect(out.filter((x) => /cancelled your request/.test(x))).toHaveLength(1);
    expect(out.filter((x) => /nothing to cancel/.test(x))).toEqual([]);
  });

  it("stores the answer in the effect's transaction, under the turn and step", async () => {
    const t = await start();
    await t.say("eve", "/support");
    await t.say("eve", "Where is my parcel?");
    const contact = await contactOf(t, "eve");
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow({ where: { contactId: contact.id } });
    const rows = await t.app.db.prisma.actionResult.findMany({ where: { contactId: contact.id, action: "support.escalate" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key).toMatch(/^[^:]+:support:escalate$/);
    expect(JSON.parse(rows[0]!.result)).toEqual({ ticketId: ticket.id, online: false, existing: false });
    expect(ticket.idempotencyKey).toBe(`ticket:${rows[0]!.key}`);
  });
});
