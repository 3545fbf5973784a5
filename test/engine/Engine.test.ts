import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { sqlitePath } from "../../src/db/Database";
import { freshDatabaseUrl, dropDatabase, testDialect } from "../helpers/database";
import { TcpProxy } from "../helpers/tcpProxy";
import { ROOT, useTestApps } from "../helpers/testApp";
import { helpText } from "../helpers/helpText";

const bench = { flowsDir: join(ROOT, "bench/flows") };
const start = useTestApps();


describe("Engine", () => {
  it("an update delivered twice is handled once: one inbound row, one set of replies", async () => {
    const t = await start();
    const first = await t.say("dup", "/help", { dedupeKey: "test:update:41" });
    const again = await t.say("dup", "/help", { dedupeKey: "test:update:41" });
    expect(first).toHaveLength(1);
    expect(again).toHaveLength(0);
    const history = await t.history("dup");
    expect(history.filter((r) => r.direction === "in")).toHaveLength(1);
    expect(history.filter((r) => r.direction === "out")).toHaveLength(1);
  });

  it("stores every inbound and outbound message, flow event and answer before replying", async () => {
    const t = await start({ ...bench });
    const seen: number[] = [];
    t.app.engine.attach({ name: "test", async start() {}, async stop() {}, async send(to) {
      // at send time, the reply's history row is already committed
      const id = await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: to.externalUserId } } });
      seen.push(await t.app.db.prisma.interaction.count({ where: { contactId: id.contactId, direction: "out" } }));
      return {};
    } });
    await t.say("s", "/start");
    await t.say("s", { kind: "choice", value: "news" });
    await t.say("s", "s@example.com");
    await t.say("s", { kind: "choice", value: "5" });
    expect(seen).toEqual([1, 2, 3, 4]);
    const kinds = (await t.history("s")).map((r) => `${r.direction}:${r.kind}`);
    expect(kinds).toEqual([
      "in:command", "event:flow.start", "out:text",
      "in:choice", "event:answer", "out:text",
      "in:text", "event:answer", "out:text",
      "in:choice", "event:answer", "out:text", "event:flow.end",
    ]);
    const state = await t.app.db.prisma.conversationState.findFirstOrThrow();
    expect(state).toMatchObject({ flowId: null, waiting: null, version: 4 });
  });

  it("handles many customers concurrently, each in order, with exact history", async () => {
    const t = await start({ ...bench });
    const customers = 150;
    await Promise.all(Array.from({ length: customers }, async (_, i) => {
      const u = `c${i}`;
      await t.say(u, "/start");
      await t.say(u, { kind: "choice", value: "offers" });
      await t.say(u, `c${i}@example.com`);
      await t.say(u, { kind: "choice", value: String((i % 5) + 1) });
    }));
    expect(await t.app.db.prisma.contact.count()).toBe(customers);
    expect(await t.app.db.prisma.interaction.count({ where: { direction: "in" } })).toBe(customers * 4);
    expect(await t.app.db.prisma.interaction.count({ where: { direction: "out" } })).toBe(customers * 4);
    expect(await t.app.db.prisma.interaction.count({ where: { kind: "answer" } })).toBe(customers * 3);
    expect(await t.app.db.prisma.handledMessage.count()).toBe(customers * 4); // every inbound message's turn committed
    const answers = await t.app.db.prisma.interaction.findMany({ where: { kind: "answer", stepId: "email" } });
    expect(new Set(answers.map((a) => a.text)).size).toBe(customers);
  });

  it("messages a customer sends in quick succession are handled in the order sent", async () => {
    const t = await start({ ...bench });
    const sends = ["/start", "offers", "q@example.com", "3"].map((m) => t.say("fast", m.startsWith("/") ? m : m === "offers" ? { kind: "choice", value: m } : m === "3" ? { kind: "choice", value: m } : m));
    await Promise.all(sends);
    const answers = (await t.history("fast")).filter((r) => r.kind === "answer").map((r) => r.text);
    expect(answers).toEqual(["offers", "q@example.com", "3"]);
  });

  it("two instances sharing one database never lose a turn for the same customer", async () => {
    const url = await freshDatabaseUrl();
    const a = await start({ ...bench, url });
    const b = await start({ ...bench, url });
    await a.say("shared", "/start");
    // both instances receive a message for the same customer at the same moment
    await Promise.all([a.say("shared", { kind: "choice", value: "news" }), b.say("shared", { kind: "choice", value: "events" })]);
    const state = await a.app.db.prisma.conversationState.findFirstOrThrow();
    expect(state.version).toBe(3); // every turn committed exactly once, one after the other
    const history = await a.history("shared");
    expect(history.filter((r) => r.direction === "in")).toHaveLength(3);
    // the loser re-ran on the winner's state: a button press is not an answer to the email question
    expect(history.filter((r) => r.kind === "answer")).toHaveLength(1);
    expect(history.filter((r) => r.kind === "answer.invalid")).toHaveLength(1);
    await dropDatabase(url);
  });

  it("a new customer reaching two instances at once becomes one contact, and both messages are kept", async () => {
    const url = await freshDatabaseUrl();
    const a = await start({ ...bench, url });
    const b = await start({ ...bench, url });
    await Promise.all([a.say("twin", "/start"), b.say("twin", "/start")]);
    expect(await a.app.db.prisma.contact.count()).toBe(1); // the loser's contact row was not left behind
    expect(await a.app.db.prisma.channelIdentity.count()).toBe(1);
    expect(await a.app.db.prisma.interaction.count({ where: { direction: "in" } })).toBe(2);
    expect(await a.app.db.prisma.handledMessage.count()).toBe(2);
    await dropDatabase(url);
  });

  it("an event and a message for the same contact at the same moment are both committed", async () => {
    const t = await start();
    await t.say("ev", "/start");
    const id = await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: "ev" } } });
    const before = (await t.app.db.prisma.conversationState.findUniqueOrThrow({ where: { contactId: id.contactId } })).version;
    await Promise.all([t.app.engine.emit(id.contactId, "ticket.resolved"), t.say("ev", "/help")]);
    const after = (await t.app.db.prisma.conversationState.findUniqueOrThrow({ where: { contactId: id.contactId } })).version;
    expect(after).toBe(before + 2);
  });

  it.runIf(testDialect === "sqlite")("a database that is briefly locked delays the message instead of dropping it", async () => {
    const t = await start();
    const other = new BetterSqlite3(sqlitePath(t.url));
    other.exec("BEGIN EXCLUSIVE");
    const pending = t.say("locked", "/help");
    await new Promise((r) => setTimeout(r, 300));
    other.exec("COMMIT");
    other.close();
    expect((await pending)[0]!.text).toBe(helpText(t.app, "en"));
    expect((await t.history("locked")).filter((r) => r.direction === "in")).toHaveLength(1);
  });

  it.runIf(testDialect === "postgresql")("a database that is briefly unreachable delays the message instead of dropping it", async () => {
    const url = new URL(await freshDatabaseUrl());
    const proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.up();
    const viaProxy = new URL(url);
    viaProxy.port = String(proxy.port);
    viaProxy.hostname = "127.0.0.1";
    const t = await start({ url: viaProxy.toString() });
    await t.say("net", "/start");
    await proxy.down();
    const pending = t.say("net", { kind: "choice", value: "help" });
    await new Promise((r) => setTimeout(r, 400));
    await proxy.up();
    const replies = await pending;
    expect(replies[0]!.text).toBe(helpText(t.app, "en"));
    expect((await t.history("net")).filter((r) => r.direction === "in")).toHaveLength(2);
    await t.close();
    await proxy.down();
    await dropDatabase(url.toString());
  });
});
