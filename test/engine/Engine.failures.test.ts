import { describe, expect, it } from "vitest";
import { z } from "zod";
import { registerAction } from "../../src/flows/actions/registry";
import { makeFixture } from "../helpers/fixture";
import { useTestApps } from "../helpers/testApp";
import { helpText } from "../helpers/helpText";

let calls = 0;
registerAction({
  name: "test.flaky_db",
  description: "Fails once the way a dropped database connection does, then works.",
  params: z.object({}),
  run() {
    if (calls++ === 0) throw Object.assign(new Error("Connection terminated unexpectedly"), { code: "ECONNRESET" });
    return { ok: true };
  },
});

const start = useTestApps();

describe("Engine under failures", () => {
  it("a commit that lands but whose acknowledgement is lost still sends the stored replies, once", async () => {
    const t = await start();
    await t.say("ack", "/start");
    // the next write after the receive is the turn's commit: let it land, then report a dropped connection
    const db = t.app.db as { run: typeof t.app.db.run; query: typeof t.app.db.query };
    const method = t.app.db.dialect === "postgresql" ? "query" : "run";
    const original = db[method].bind(t.app.db) as (x: never) => Promise<unknown>;
    let n = 0;
    (db as Record<string, unknown>)[method] = async (x: never) => {
      const result = await original(x);
      if (++n === 2) throw Object.assign(new Error("Connection terminated unexpectedly"), { code: "ECONNRESET" });
      return result;
    };
    const replies = await t.say("ack", { kind: "choice", value: "help" });
    (db as Record<string, unknown>)[method] = original;
    expect(replies.map((r) => r.text)).toEqual([helpText(t.app, "en")]);
    const rows = await t.history("ack");
    expect(rows.filter((r) => r.direction === "out" && r.text === helpText(t.app, "en"))).toHaveLength(1);
  });

  it("a database hiccup inside an action retries the turn instead of apologising", async () => {
    calls = 0;
    const t = await start(makeFixture({ flaky: "triggers:\n  - command: flaky\nsteps:\n  - action: test.flaky_db\n    save_as: r\n  - say: test:ok\n" }, { ok: "worked" }));
    expect((await t.say("f", "/flaky")).map((r) => r.text)).toEqual(["en: worked"]);
    expect((await t.history("f")).some((r) => r.kind === "error")).toBe(false);
  });

  it("an unexpected failure outside any step is recorded and answered with the apology", async () => {
    const t = await start();
    await t.say("u", "/start");
    const catalog = t.app.catalog as unknown as { version: () => Promise<never> };
    catalog.version = async () => { throw new Error("flow store exploded"); };
    const replies = await t.say("u", "whatever");
    expect(replies.map((r) => r.text)).toEqual([t.app.translator().t("en", "common:error.apology")]);
    const rows = await t.history("u");
    expect(rows.at(-2)).toMatchObject({ kind: "error", data: { code: "rapport_pipeline_failed" } });
    expect(rows.at(-2)!.text).toContain("flow store exploded");
  });

  it("text with a NUL character is stored without it and answered, on both databases", async () => {
    const t = await start();
    const replies = await t.say("nul", "deli\u0000very times?");
    expect(replies[0]!.text).toBe(t.app.translator().t("en", "faq:topics.delivery.answer"));
    expect((await t.history("nul"))[0]!.text).toBe("delivery times?");
  });

  it("keeps the profile current: a new name is stored, a field the channel did not send is kept", async () => {
    const t = await start();
    await t.say("p", "/help", { sender: { externalUserId: "p" } });
    await t.say("p", "/help", { sender: { externalUserId: "p", displayName: "Ann", username: "ann" } });
    await t.say("p", "/help", { sender: { externalUserId: "p", displayName: "Anna" } });
    const contact = await t.app.db.prisma.contact.findFirstOrThrow();
    expect(contact).toMatchObject({ displayName: "Anna", username: "ann" });
  });

  it("a failed send is recorded in the history", async () => {
    const t = await start();
    t.app.engine.attach({ name: "test", async start() {}, async stop() {}, async send() { throw Object.assign(new Error("Forbidden: bot was blocked by the user"), { code: "403" }); } });
    await t.say("blk", "/help");
    const rows = await t.history("blk");
    expect(rows.at(-1)).toMatchObject({ kind: "send.failed", text: "Forbidden: bot was blocked by the user", data: { code: "403" } });
    expect(rows.filter((r) => r.direction === "out")).toHaveLength(1); // the reply itself is stored
  });

  it("`next: flow:<id>` after an answer starts that flow", async () => {
    const t = await start(makeFixture({
      a: "triggers:\n  - command: a\nsteps:\n  - ask: test:q\n    save_as: x\n    next: flow:b\n",
      b: "triggers:\n  - command: b\nsteps:\n  - say: test:in_b\n",
    }, { q: "question", in_b: "flow b" }));
    await t.say("n", "/a");
    expect((await t.say("n", "anything")).map((r) => r.text)).toEqual(["en: flow b"]);
  });
});
