import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/core/log";
import { makeFixture } from "../helpers/fixture";
import { dropDatabase, freshDatabaseUrl } from "../helpers/database";
import { startTestApp, type TestApp } from "../helpers/testApp";

const v1 = "triggers:\n  - command: survey\nsteps:\n  - id: q\n    ask: test:q1\n    type: text\n    save_as: a\n  - end: test:done1\n";
const v2 = "triggers:\n  - command: survey\nsteps:\n  - id: q\n    ask: test:q2\n    type: text\n    save_as: a\n  - end: test:done2\n";
const texts = { q1: "old question", q2: "new question", done1: "thanks from v1 ({{vars.a}})", done2: "thanks from v2 ({{vars.a}})" };

const open: TestApp[] = [];
afterEach(async () => { for (const a of open.splice(0)) await a.close(); });

async function until(check: () => boolean | Promise<boolean>, ms = 20_000) { // a file watcher, a debounce and a lint: seconds on a loaded machine
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("flow versions", () => {
  it("a conversation in progress finishes on the version it started with; new ones get the new version", async () => {
    const fx = makeFixture({ survey: v1 }, texts);
    const t = await startTestApp(fx);
    open.push(t);
    expect((await t.say("old", "/survey"))[0]!.text).toBe("en: old question");
    fx.writeFlow("survey", v2);
    expect(await t.app.reload()).toBe(true);
    expect((await t.say("new", "/survey"))[0]!.text).toBe("en: new question");
    expect((await t.say("old", "fine"))[0]!.text).toBe("en: thanks from v1 (fine)");
    expect((await t.say("new", "great"))[0]!.text).toBe("en: thanks from v2 (great)");
    const versions = await t.app.db.prisma.flowVersion.findMany({ where: { flowId: "survey" }, orderBy: { version: "asc" } });
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it("the old version is served from the database after a restart, and unchanged text is not a new version", async () => {
    const url = await freshDatabaseUrl();
    const fx = makeFixture({ survey: v1 }, texts);
    const first = await startTestApp({ ...fx, url });
    await first.say("pat", "/survey");
    await first.app.close();
    fx.writeFlow("survey", v2);
    const second = await startTestApp({ ...fx, url });
    try {
      expect((await second.say("pat", "ok"))[0]!.text).toBe("en: thanks from v1 (ok)");
      expect(second.app.catalog.current("survey")!.version).toBe(2);
      fx.writeFlow("survey", v1);
      await second.app.reload();
      expect(second.app.catalog.current("survey")!.version).toBe(1); // the same text maps back to its version
      expect(await second.app.db.prisma.flowVersion.count()).toBe(2);
    } finally {
      await second.app.close();
      await dropDatabase(url);
    }
  });
});

describe("hot reload", () => {
  it("a changed file is checked like `flows lint`: a bad one is refused with file:line:col and the last good version keeps serving", async () => {
    const fx = makeFixture({ survey: v1 }, texts);
    const lines: string[] = [];
    const url = await freshDatabaseUrl();
    const { createApp } = await import("../../src/app/createApp");
    const app = await createApp({ settings: { databaseUrl: url, flowsDir: fx.flowsDir, localesDir: fx.localesDir, hotReload: true, dbRetrySeconds: 2 }, log: createLogger("info", (l) => lines.push(l)) });
    try {
      fx.writeFlow("survey", v1.replace("ask: test:q1", "ask_choise: test:q1"));
      await until(() => lines.some((l) => l.includes("flow change refused")));
      const refusal = JSON.parse(lines.find((l) => l.includes("flow change refused"))!);
      expect(refusal.problems[0]).toMatch(/\/flows\/survey\.yaml:5:5: unknown step kind "ask_choise"; did you mean "ask"\?/);
      expect(app.catalog.current("survey")!.version).toBe(1);
      fx.writeFlow("survey", v2);
      await until(() => app.catalog.current("survey")?.version === 2);
    } finally {
      await app.close();
      await dropDatabase(url);
    }
  });

  // Issue #14: adding book.yaml with /start blamed the untouched file that already served /start.
  it("a new file claiming a served trigger is refused with the problem at the new file only", async () => {
    const fx = makeFixture({ survey: v1 }, texts);
    const url = await freshDatabaseUrl();
    const { createApp } = await import("../../src/app/createApp");
    const app = await createApp({ settings: { databaseUrl: url, flowsDir: fx.flowsDir, localesDir: fx.localesDir, hotReload: false, dbRetrySeconds: 2 }, log: createLogger("error", () => {}) });
    try {
      fx.writeFlow("a-newcomer", "triggers:\n  - command: survey\nsteps:\n  - end: test:q2\n");
      const { utimesSync } = await import("node:fs");
      utimesSync(`${fx.flowsDir}/survey.yaml`, new Date(), new Date(Date.now() + 60_000)); // the served file looks newer: serving decides, not time
      const refused = await app.catalog.load((await import("../../src/flows/lintFlows")).findFlowFiles([fx.flowsDir])).catch((e: Error & { problems?: { file: string; message: string }[] }) => e.problems);
      expect(refused).toEqual([expect.objectContaining({ file: expect.stringMatching(/a-newcomer\.yaml$/), message: expect.stringContaining('/survey already starts flow "survey"') })]);
      expect(app.catalog.matchCommand("survey")?.flow.id).toBe("survey");
    } finally {
      await app.close();
      await dropDatabase(url);
    }
  });
});

describe("partial flows (the terminal chat)", () => {
  it("serves the valid flows, leaves out a broken file and reports its problems", async () => {
    const fx = makeFixture({ survey: v1, broken: "steps:\n  - say: test:q1\n\t  next: x\n" }, texts);
    const url = await freshDatabaseUrl();
    const { createApp } = await import("../../src/app/createApp");
    const app = await createApp({ settings: { databaseUrl: url, flowsDir: fx.flowsDir, localesDir: fx.localesDir, hotReload: false, dbRetrySeconds: 2 }, log: createLogger("error", () => {}), partialFlows: true });
    try {
      expect(app.catalog.all().map((f) => f.id)).toEqual(["survey"]);
      expect(app.flowProblems().map((p) => `${p.file.split("/").pop()}:${p.line}:${p.col}: ${p.message}`)).toEqual(["broken.yaml:3:1: tabs are not allowed for indentation; use spaces"]);
    } finally {
      await app.close();
      await dropDatabase(url);
    }
  });
});
