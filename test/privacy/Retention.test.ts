/**
 * Retention (issue 16) on a fixed data set: with message texts kept 30 days, survey comments 90 and
 * closed tickets 60, one sweep removes exactly the older texts (by hand: 3 history texts, 1 comment,
 * 1 ticket with its 2 relayed texts), keeps every row, so counts and the report stay the same, works
 * in batches (a second sweep finds nothing), and with the defaults removes nothing.
 */
import { describe, expect, it } from "vitest";
import { idFloor } from "../../src/core/ids";
import type { Database } from "../../src/db/Database";
import { buildReport } from "../../src/feedback/report";
import { Retention } from "../../src/privacy/Retention";
import { testDialect } from "../helpers/database";
import { useTestApps } from "../helpers/testApp";

const startApp = useTestApps();
const NOW = new Date("2026-06-30T12:00:00Z");
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
/** An id as newId() makes it at `at` (ids sort by creation time; retention walks them). */
const idAt = (at: Date, n: number) => `${idFloor(at)}${n.toString(36).padStart(4, "0")}fixture0`;

async function seed(db: Database) {
  const p = db.prisma;
  await p.contact.create({ data: { id: "c1", displayName: "Dora" } });
  const history: [number, string | null][] = [[400, "old hello"], [45, "older than 30"], [31, "just past 30"], [29, "recent"], [1, "yesterday"], [45, null]];
  await p.interaction.createMany({ data: history.map(([d, text], i) => ({
    id: idAt(daysAgo(d), i), contactId: "c1", occurredAt: daysAgo(d), direction: "in", kind: text ? "text" : "media", actor: "customer", text,
  })) });
  await p.surveyResponse.createMany({ data: [
    { id: "s1", contactId: "c1", survey: "nps", score: 9, comment: "great", idempotencyKey: "s1", createdAt: daysAgo(100) },
    { id: "s2", contactId: "c1", survey: "nps", score: 3, comment: "slow", idempotencyKey: "s2", createdAt: daysAgo(80) },
    { id: "s3", contactId: "c1", survey: "csat", score: 4, comment: null, idempotencyKey: "s3", createdAt: daysAgo(200) },
  ] });
  await p.ticket.createMany({ data: [
    { id: "t1", contactId: "c1", status: "resolved", reason: "command", question: "where is my order", idempotencyKey: "t1", createdAt: daysAgo(70), closedAt: daysAgo(65) },
    { id: "t2", contactId: "c1", status: "resolved", reason: "command", question: "refund?", idempotencyKey: "t2", createdAt: daysAgo(70), closedAt: daysAgo(50) },
    { id: "t3", contactId: "c1", status: "claimed", reason: "command", question: "still open", idempotencyKey: "t3", createdAt: daysAgo(90) },
  ] });
  await p.ticketMessage.createMany({ data: [
    { id: "m1", ticketId: "t1", direction: "to_staff", text: "it was due monday", author: "customer", sourceKey: "m1", status: "delivered", nextAttemptAt: daysAgo(65) },
    { id: "m2", ticketId: "t1", direction: "to_customer", text: "sorry, resent", author: "agent:U1", sourceKey: "m2", status: "delivered", nextAttemptAt: daysAgo(65) },
    { id: "m3", ticketId: "t2", direction: "to_staff", text: "please", author: "customer", sourceKey: "m3", status: "delivered", nextAttemptAt: daysAgo(50) },
  ] });
}

describe(`Retention (${testDialect})`, () => {
  it("removes exactly the texts past each setting, keeping every row and the report", async () => {
    const { app } = await startApp();
    const p = app.db.prisma;
    await seed(app.db);
    const period = { from: daysAgo(1000), to: NOW };
    const before = await buildReport(app.db, period);
    const retention = new Retention(app.db, () => ({ messageTextDays: 30, surveyCommentDays: 90, closedTicketDays: 60 }));
    expect(await retention.sweep(NOW)).toBe(3 + 1 + 1);
    expect((await p.interaction.findMany({ orderBy: { id: "asc" } })).map((i) => i.text)).toEqual([null, null, null, null, "recent", "yesterday"]);
    expect(await p.interaction.count()).toBe(6);
    expect((await p.surveyResponse.findMany({ orderBy: { id: "asc" } })).map((s) => [s.score, s.comment])).toEqual([[9, null], [3, "slow"], [4, null]]);
    expect((await p.ticket.findMany({ orderBy: { id: "asc" } })).map((t) => [t.id, t.status, t.question])).toEqual([["t1", "resolved", null], ["t2", "resolved", "refund?"], ["t3", "claimed", "still open"]]);
    expect((await p.ticketMessage.findMany({ orderBy: { id: "asc" } })).map((m) => m.text)).toEqual(["", "", "please"]);
    expect(await buildReport(app.db, period)).toEqual(before);
    expect(await retention.sweep(NOW)).toBe(0); // done: nothing found twice
    // A day later, one more message text is past 30 days.
    expect(await retention.sweep(new Date(NOW.getTime() + 86_400_000 * 1.5))).toBe(1);
  });

  it("removes nothing with the defaults (keep for ever)", async () => {
    const { app } = await startApp();
    await seed(app.db);
    expect(await new Retention(app.db, () => ({})).sweep(NOW)).toBe(0);
    expect(await app.db.prisma.interaction.count({ where: { text: null } })).toBe(1);
  });
});
