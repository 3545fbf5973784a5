import { describe, expect, it } from "vitest";
import { runEventsSend } from "../../src/cli/eventsSend";
import { UsageError } from "../../src/cli/args";
import { testDialect } from "../helpers/database";
import { useTestApps } from "../helpers/testApp";

const start = useTestApps();

function sink() {
  let text = "";
  return { stream: { write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WritableStream & { isTTY?: boolean }, text: () => text };
}

describe(`rapport events send (${testDialect})`, () => {
  it("schedules an event (an NPS survey) for a segment; the bot delivers it to each once", async () => {
    const t = await start();
    for (const u of ["a", "b", "c"]) await t.say(u, "/help");
    const ids = await t.app.db.prisma.channelIdentity.findMany({ orderBy: { externalId: "asc" } });
    await t.app.db.prisma.contact.updateMany({ where: { id: { in: [ids[0]!.contactId, ids[1]!.contactId] } }, data: { segment: "at_risk" } });
    const out = sink();
    const err = sink();
    expect(await runEventsSend(t.app.db, t.app.jobs, "nps.ask", { contacts: [], segment: "at_risk", all: false }, '{"campaign":"nov"}', out.stream, err.stream)).toBe(0);
    expect(out.text()).toBe("2 customers scheduled for nps.ask; the running bot (npm start) delivers them\n");
    expect(err.text()).toMatch(/events send: 2\/2 contacts \(100%\)/);
    expect(await t.app.jobs.runDue()).toBe(2);
    const prompt = t.app.translator().t("en", "feedback:nps.prompt");
    expect(t.channel.sent.filter((s) => s.message.text === prompt).map((s) => s.to.externalUserId).sort()).toEqual(["a", "b"]);
    expect(await t.app.jobs.runDue()).toBe(0);
  });

  it("refuses a missing event, no audience or two, and data that is not a JSON object", async () => {
    const t = await start();
    const io = [sink().stream, sink().stream] as const;
    await expect(runEventsSend(t.app.db, t.app.jobs, undefined, { contacts: [], all: true }, undefined, ...io)).rejects.toThrow(UsageError);
    await expect(runEventsSend(t.app.db, t.app.jobs, "nps.ask", { contacts: [], all: false }, undefined, ...io)).rejects.toThrow("exactly one of --contact");
    await expect(runEventsSend(t.app.db, t.app.jobs, "nps.ask", { contacts: [], segment: "lost", all: true }, undefined, ...io)).rejects.toThrow("exactly one of --contact");
    await expect(runEventsSend(t.app.db, t.app.jobs, "nps.ask", { contacts: [], all: true }, "[1]", ...io)).rejects.toThrow("--data must be a JSON object");
    expect(await t.app.db.prisma.scheduledJob.count()).toBe(0);
  });
});
