/**
 * completeTurns carries the outbox's "sent" marks (issue 13, "not slower by more than 10%"): a mark
 * rides in the next turn commit instead of a commit of its own, lands whether or not the turns it
 * rides with win their version check, and still goes alone when no turn is waiting. Runs on SQLite
 * and PostgreSQL (the PostgreSQL commit is one statement with the mark as a CTE).
 */
import { describe, expect, it } from "vitest";
import { completeTurns, loadContactPlan, type CompleteItem } from "../../src/engine/turnPlans";
import { enqueueMessage } from "../../src/outbox/enqueueMessage";
import { useTestApps, type TestApp } from "../helpers/testApp";

const start = useTestApps();

async function pendingRow(t: TestApp, user: string, text: string): Promise<{ contactId: string; id: string }> {
  await t.say(user, "/help");
  await t.app.engine.idle();
  const { contactId } = await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: user } });
  const { id } = await t.app.db.prisma.$transaction((tx) => enqueueMessage(tx, { contactId, message: { text }, priority: "notification" }));
  return { contactId, id };
}

async function turnOf(t: TestApp, contactId: string, versionOffset = 0): Promise<CompleteItem> {
  const loaded = (await t.app.db.run(loadContactPlan(contactId)))!;
  return { contactId, state: { ...loaded.state, version: loaded.state.version + versionOffset }, rows: [], contactChanges: {}, outbox: [], lease: null };
}

describe("completeTurns with sent marks", () => {
  it("marks the rows sent in the same commit as the turns, winners or not, and alone when no turn waits", async () => {
    const t = await start();
    const ana = await pendingRow(t, "ana", "first");
    const bo = await pendingRow(t, "bo", "second");
    const cy = await pendingRow(t, "cy", "third");
    const at = new Date("2026-12-07T12:00:00.000Z");

    // ana's turn wins, bo's loses its version check; both marks land with them.
    const done = await completeTurns(t.app.db, [await turnOf(t, ana.contactId), await turnOf(t, bo.contactId, 5)], at, [ana.id, bo.id]);
    expect(done).toEqual([{ won: true, held: false }, { won: false, held: false }]);
    // No turn: the mark goes on its own.
    expect(await completeTurns(t.app.db, [], at, [cy.id])).toEqual([]);

    const rows = await t.app.db.prisma.outboxMessage.findMany({ where: { id: { in: [ana.id, bo.id, cy.id] } }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.status, r.attempts, r.sentAt?.toISOString()])).toEqual([
      ["sent", 1, at.toISOString()], ["sent", 1, at.toISOString()], ["sent", 1, at.toISOString()],
    ]);
  });

  it("leaves a failed row failed", async () => {
    const t = await start();
    const dee = await pendingRow(t, "dee", "gave up");
    await t.app.db.prisma.outboxMessage.update({ where: { id: dee.id }, data: { status: "failed" } });
    await completeTurns(t.app.db, [await turnOf(t, dee.contactId)], new Date(), [dee.id]);
    expect((await t.app.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: dee.id } })).status).toBe("failed");
  });
});
