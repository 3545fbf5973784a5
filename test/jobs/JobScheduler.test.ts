import { afterEach, describe, expect, it } from "vitest";
import { makeFixture } from "../helpers/fixture";
import { dropDatabase, freshDatabaseUrl, testDialect } from "../helpers/database";
import { startTestApp, type TestApp } from "../helpers/testApp";
import { JobScheduler } from "../../src/jobs/JobScheduler";
import { silentLogger } from "../../src/core/log";

const FLOWS = {
  remind: `
triggers:
  - command: remind
steps:
  - say: test:ok
  - wait: 2h
  - say: test:later
  - end: true
`,
  ping: `
triggers:
  - event: ping
steps:
  - say: test:pong
  - end: true
`,
  later: `
triggers:
  - command: later
steps:
  - action: schedule.event
    with: { event: ping, in: 3d, data: { from: "later" } }
  - end: test:ok
`,
  ask: `
triggers:
  - command: ask
steps:
  - ask: test:question
    type: text
    save_as: answer
  - end: test:ok
`,
};
const TEXTS = { ok: "ok", later: "two hours later", pong: "pong", question: "tell me" };
const HOUR = 3_600_000;

const open: TestApp[] = [];
const urls: string[] = [];
afterEach(async () => {
  for (const a of open.splice(0)) await a.close();
  for (const u of urls.splice(0)) await dropDatabase(u);
});

/** A test app on `url` (shared between "processes") with the fixture's flows. */
async function app(url: string) {
  const f = makeFixture(FLOWS, TEXTS);
  const t = await startTestApp({ url, flowsDir: f.flowsDir, localesDir: f.localesDir });
  open.push(t);
  return t;
}

async function database() {
  const url = await freshDatabaseUrl();
  urls.push(url);
  return url;
}

const texts = (t: TestApp, user: string) => t.channel.sent.filter((s) => s.to.externalUserId === user).map((s) => s.message.text);

describe(`scheduled work (${testDialect})`, () => {
  it("a wait step pauses the flow and goes on once, when its timer is due", async () => {
    const t = await app(await database());
    expect((await t.say("ann", "/remind")).map((m) => m.text)).toEqual(["en: ok"]);
    const job = await t.app.db.prisma.scheduledJob.findFirstOrThrow();
    expect(job).toMatchObject({ kind: "resume", status: "pending" });
    expect(job.dueAt.getTime() - Date.now()).toBeGreaterThan(2 * HOUR - 60_000);
    expect(await t.app.jobs.runDue(new Date(Date.now() + HOUR))).toBe(0);
    expect(await t.app.jobs.runDue(new Date(Date.now() + 2 * HOUR + 1000))).toBe(1);
    expect(await t.app.jobs.runDue(new Date(Date.now() + 3 * HOUR))).toBe(0);
    expect(texts(t, "ann")).toEqual(["en: ok", "en: two hours later"]);
    const kinds = (await t.history("ann")).map((h) => h.kind);
    expect(kinds).toEqual(expect.arrayContaining(["flow.wait", "flow.resume"]));
  });

  it("a message during the wait ends it; the timer then does nothing", async () => {
    const t = await app(await database());
    await t.say("bob", "/remind");
    await t.say("bob", "/ask");
    expect(await t.app.jobs.runDue(new Date(Date.now() + 3 * HOUR))).toBe(1); // ran, found the wait gone
    expect(texts(t, "bob")).toEqual(["en: ok", "en: tell me"]);
    expect((await t.app.db.prisma.conversationState.findFirstOrThrow()).stepId).not.toBeNull(); // still at the question
  });

  it("work due while the process was down runs once at the next start, and never twice", async () => {
    const url = await database();
    const first = await app(url);
    await first.say("cat", "/later");
    await first.close();
    const second = await app(url);
    const threeDays = new Date(Date.now() + 72 * HOUR + 1000);
    expect(await second.app.jobs.runDue(threeDays)).toBe(1);
    expect(texts(second, "cat")).toEqual(["en: pong"]);
    // A runner that died after its turn committed but before marking the job done: the lease runs
    // out, the job is taken again, and the stored turn keeps it from running twice.
    await second.app.db.prisma.scheduledJob.updateMany({ data: { status: "running", lockedUntil: new Date(Date.now() - 1000) } });
    expect(await second.app.jobs.runDue(threeDays)).toBe(1);
    expect(texts(second, "cat")).toEqual(["en: pong"]);
    expect((await second.history("cat")).filter((h) => h.text === "en: pong")).toHaveLength(1);
  });

  it("an event due while the customer is in another conversation is tried again later", async () => {
    const t = await app(await database());
    await t.say("dan", "/later");
    await t.say("dan", "/ask"); // waiting at a question when the event comes due
    const due = new Date(Date.now() + 72 * HOUR + 1000);
    await t.app.jobs.runDue(due);
    const jobs = await t.app.db.prisma.scheduledJob.findMany({ orderBy: { createdAt: "asc" } });
    expect(jobs.map((j) => j.status)).toEqual(["done", "pending"]);
    await t.say("dan", "fine"); // the question is answered
    await t.app.jobs.runDue(new Date(due.getTime() + HOUR));
    expect(texts(t, "dan").at(-1)).toBe("en: pong");
  });

  it("two processes polling one database run each due job exactly once", async () => {
    const url = await database();
    const a = await app(url);
    const b = await app(url);
    const users = Array.from({ length: 30 }, (_, i) => `u${i}`);
    for (const u of users) await a.say(u, "/later");
    const due = new Date(Date.now() + 72 * HOUR + 1000);
    const [ranA, ranB] = await Promise.all([a.app.jobs.runDue(due), b.app.jobs.runDue(due)]);
    expect(ranA + ranB).toBe(30);
    const pongs = [...a.channel.sent, ...b.channel.sent].filter((s) => s.message.text === "en: pong");
    expect(pongs).toHaveLength(30);
    expect(new Set(pongs.map((p) => p.to.externalUserId)).size).toBe(30);
    expect(await a.app.db.prisma.scheduledJob.count({ where: { status: "done" } })).toBe(30);
  });

  it("a wait survives a restart: the next process resumes the flow once", async () => {
    const url = await database();
    const first = await app(url);
    await first.say("eve", "/remind");
    await first.close();
    const second = await app(url);
    expect(await second.app.jobs.runDue(new Date(Date.now() + 2 * HOUR + 1000))).toBe(1);
    expect(texts(second, "eve")).toEqual(["en: two hours later"]);
  });

  it("the same job run twice at once (a lease that ran out) starts its flow once", async () => {
    const t = await app(await database());
    await t.say("fay", "/help_unknown"); // a known customer, not in a conversation
    const contactId = (await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: "fay" } })).contactId;
    const results = await Promise.all([1, 2, 3].map(() => t.app.engine.emit(contactId, "ping", {}, undefined, { onceKey: "job-1" })));
    expect(results.filter((r) => r === "started")).toHaveLength(1);
    expect(texts(t, "fay").filter((x) => x === "en: pong")).toHaveLength(1);
  });

  it("work for a customer who stays busy is dropped after its retries, with a trace in the history", async () => {
    const url = await database();
    const f = makeFixture(FLOWS, TEXTS);
    const t = await startTestApp({ url, flowsDir: f.flowsDir, localesDir: f.localesDir });
    open.push(t);
    await t.say("gil", "/later");
    await t.say("gil", "/ask");
    let due = Date.now() + 72 * HOUR + 1000;
    for (let i = 0; i < 8; i++, due += HOUR) await t.app.jobs.runDue(new Date(due));
    expect(await t.app.db.prisma.scheduledJob.count({ where: { status: "pending" } })).toBe(0);
    expect((await t.history("gil")).filter((h) => h.kind === "job.dropped")).toHaveLength(1);
  });

  it("a process without the customer's channel leaves their work to one that has it", async () => {
    const url = await database();
    const t = await app(url);
    await t.say("hal", "/later");
    const cli = await startTestApp({ url, flowsDir: makeFixture(FLOWS, TEXTS).flowsDir, localesDir: makeFixture(FLOWS, TEXTS).localesDir });
    open.push(cli);
    cli.app.engine.attach({ name: "other", start: async () => {}, stop: async () => {}, send: async () => ({}) });
    (cli.app.engine as unknown as { channels: Map<string, unknown> }).channels.delete("test");
    expect(await cli.app.jobs.runDue(new Date(Date.now() + 72 * HOUR + 1000))).toBe(0);
    expect(await t.app.jobs.runDue(new Date(Date.now() + 72 * HOUR + 1000))).toBe(1);
    expect(texts(t, "hal")).toContain("en: pong");
  });

  it("a job running longer than its lease keeps it (renewed while it runs): another process does not take it", async () => {
    const t = await app(await database());
    await t.say("jo", "/later");
    await t.app.db.prisma.scheduledJob.updateMany({ data: { dueAt: new Date(Date.now() - 1000) } }); // due now
    const runs: string[] = [];
    let finish!: () => void;
    const slow = new JobScheduler(t.app.db, async (job) => { runs.push(`slow ${job.id}`); await new Promise<void>((r) => (finish = r)); return "done"; }, silentLogger, { leaseMs: 400 });
    const other = new JobScheduler(t.app.db, async (job) => { runs.push(`other ${job.id}`); return "done"; }, silentLogger, { leaseMs: 400 });
    const running = slow.runDue();
    while (runs.length === 0) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 12; i++) { // a second instance polls for a while, well past the 400 ms lease
      expect(await other.runDue()).toBe(0);
      await new Promise((r) => setTimeout(r, 80));
    }
    finish();
    expect(await running).toBe(1);
    expect(runs).toHaveLength(1);
  });

  it("a job whose process died mid-run (no renewal) is taken by another within seconds, not minutes", async () => {
    const t = await app(await database());
    await t.say("kit", "/later");
    await t.app.db.prisma.scheduledJob.updateMany({ data: { dueAt: new Date(Date.now() - 1000) } });
    // What a process killed -9 mid-job leaves: the job running, leased with the default lease.
    let finish: (() => void) | undefined;
    const dead = new JobScheduler(t.app.db, () => new Promise((r) => (finish = () => r("done"))), silentLogger);
    const claimed = Date.now();
    const running = dead.runDue();
    while (!finish) await new Promise((r) => setTimeout(r, 5)); // running the job now
    const job = await t.app.db.prisma.scheduledJob.findFirstOrThrow({ where: { status: "running" } });
    // The batch a kill strands used to wait five minutes; now the default lease is 30 s.
    expect(job.lockedUntil!.getTime() - claimed).toBeLessThanOrEqual(31_000);
    finish(); // (ends the stand-in's heartbeat before the database closes)
    await running;
  });

  it("finished jobs are purged after 30 days, by the sweeper", async () => {
    const t = await app(await database());
    await t.say("ivy", "/later");
    await t.app.jobs.runDue(new Date(Date.now() + 72 * HOUR + 1000));
    expect(await t.app.db.prisma.scheduledJob.count({ where: { status: "done" } })).toBe(1);
    expect((await t.app.sweeper.tick(new Date(Date.now() + 20 * 24 * HOUR)))["jobs.purge"]).toBe(0);
    expect((await t.app.sweeper.tick(new Date(Date.now() + 31 * 24 * HOUR)))["jobs.purge"]).toBe(1);
    expect(await t.app.db.prisma.scheduledJob.count()).toBe(0);
  });
});
