import { describe, expect, it } from "vitest";
import { Surveys, SurveyScoreError } from "../../src/feedback/Surveys";
import { testDialect } from "../helpers/database";
import { useTestApps } from "../helpers/testApp";

const start = useTestApps();
const MINUTE = 60_000;

describe(`surveys (${testDialect})`, () => {
  it("CSAT: half an hour after a ticket is resolved, a 1-5 rating and a comment, linked to the ticket and the agent", async () => {
    const t = await start();
    await t.say("ann", "operator");
    await t.say("ann", "my order is late");
    const ticket = await t.app.db.prisma.ticket.findFirstOrThrow();
    await t.app.support.claim(ticket.id, "UANNA");
    await t.app.support.resolve(ticket.id, "UANNA");
    // The close stored `ticket.resolved` as work due now; it starts after-support.yaml, which schedules the survey.
    expect(await t.app.db.prisma.scheduledJob.findFirstOrThrow()).toMatchObject({ kind: "event", name: "ticket.resolved", status: "pending" });
    expect(await t.app.jobs.runDue()).toBe(1);
    const job = await t.app.db.prisma.scheduledJob.findFirstOrThrow({ where: { name: "csat.ask" } });
    expect(job).toMatchObject({ kind: "event", name: "csat.ask", status: "pending" });
    expect(Math.round((job.dueAt.getTime() - Date.now()) / MINUTE)).toBe(30);
    const before = t.channel.sent.length;
    await t.app.jobs.runDue(new Date(Date.now() + 31 * MINUTE));
    const asked = t.channel.sent.slice(before).map((s) => s.message);
    expect(asked.at(-1)!.text).toBe(t.app.translator().t("en", "feedback:csat.prompt"));
    expect(asked.at(-1)!.choices?.map((c) => c.value)).toEqual(["1", "2", "3", "4", "5"]);
    await t.say("ann", { kind: "choice", value: "4" });
    await t.say("ann", { kind: "choice", value: "yes" });
    const thanks = await t.say("ann", "Quick and friendly");
    expect(thanks.at(-1)!.text).toBe(t.app.translator().t("en", "feedback:thanks"));
    expect(await t.app.db.prisma.surveyResponse.findFirstOrThrow()).toMatchObject({ survey: "csat", score: 4, comment: "Quick and friendly", ticketId: ticket.id, agent: "agent:UANNA" });
    const row = (await t.history("ann")).find((h) => h.kind === "survey.csat")!;
    expect(row).toMatchObject({ text: "Quick and friendly", data: { score: 4, ticketId: ticket.id, agent: "agent:UANNA" } });
  });

  it("NPS: 0-10 then why; a detractor is handed to support, a promoter thanked", async () => {
    const t = await start();
    await t.say("bob", "/help"); // known customers, not in a conversation
    await t.say("cy", "/help");
    const contactOf = async (u: string) => (await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: u } })).contactId;
    for (const u of ["bob", "cy"]) {
      const before = t.channel.sent.length;
      await t.app.engine.emit(await contactOf(u), "nps.ask");
      const prompt = t.channel.sent.slice(before).at(-1)!.message;
      expect(prompt.choices?.map((c) => c.value)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    }
    await t.say("bob", { kind: "choice", value: "3" });
    const bob = await t.say("bob", "Delivery took three weeks");
    expect(bob.at(-1)!.text).toBe(t.app.translator().t("en", "feedback:nps.detractor_offline"));
    expect(await t.app.db.prisma.ticket.findFirstOrThrow()).toMatchObject({ reason: "nps_detractor", question: "NPS 3: Delivery took three weeks" });
    await t.say("cy", "10");
    const cy = await t.say("cy", "Great prices");
    expect(cy.at(-1)!.text).toBe(t.app.translator().t("en", "feedback:thanks"));
    const answers = await t.app.db.prisma.surveyResponse.findMany({ orderBy: { score: "asc" } });
    expect(answers.map((a) => [a.survey, a.score, a.comment])).toEqual([["nps", 3, "Delivery took three weeks"], ["nps", 10, "Great prices"]]);
    expect((await t.history("cy")).find((h) => h.kind === "survey.nps")!.data).toMatchObject({ score: 10, group: "promoter" });
    expect(await t.app.db.prisma.ticket.count()).toBe(1);
  });

  it("stores an answer once per key and refuses scores off the scale", async () => {
    const t = await start();
    await t.say("dee", "/start");
    const contactId = (await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: "dee" } })).contactId;
    const surveys = new Surveys(t.app.db);
    const results = await Promise.all(Array.from({ length: 10 }, () => surveys.record(contactId, { survey: "nps", score: 8, key: "run-1" })));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await t.app.db.prisma.surveyResponse.count()).toBe(1);
    await expect(surveys.record(contactId, { survey: "csat", score: 0, key: "run-2" })).rejects.toBeInstanceOf(SurveyScoreError);
    await expect(surveys.record(contactId, { survey: "nps", score: 11, key: "run-3" })).rejects.toThrow("nps takes a whole score from 0 to 10, got 11");
  });

  it("a survey the customer ignores does not swallow their next question", async () => {
    const t = await start();
    await t.say("eve", "/help");
    const contactId = (await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: "eve" } })).contactId;
    await t.app.engine.emit(contactId, "nps.ask");
    const replies = await t.say("eve", "How long does delivery take?");
    expect(replies[0]!.text).toBe(t.app.translator().t("en", "faq:topics.delivery.answer"));
    expect(await t.app.db.prisma.surveyResponse.count()).toBe(0);
    expect((await t.history("eve")).some((h) => h.kind === "flow.end" && (h.data as { reason?: string })?.reason === "interrupted")).toBe(true);
  });
});
