import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { MessagesKeptError, TerminalChannel } from "../../../src/channels/terminal/TerminalChannel";
import { DatabaseUnavailableError } from "../../../src/core/errors";
import type { Address, InboundEvent } from "../../../src/core/message";
import { startTestApp, type TestApp } from "../../helpers/testApp";

function terminal(locale?: string) {
  let printed = "";
  const out = new Writable({ write(chunk, _enc, done) { printed += String(chunk); done(); } });
  const events: InboundEvent[] = [];
  const channel = new TerminalChannel("alice", out, locale);
  return { channel, events, printed: () => printed, deliver: async (e: InboundEvent) => { events.push(e); } };
}

const to: Address = { channel: "terminal", externalChatId: "alice", externalUserId: "alice" };

describe("TerminalChannel", () => {
  it("prints replies with numbered buttons and returns distinct message ids", async () => {
    const t = terminal();
    const a = await t.channel.send(to, { text: "Pick", choices: [{ value: "x", label: "Ex" }, { value: "y", label: "Why" }] });
    const b = await t.channel.send(to, { text: "Done" });
    expect(t.printed()).toBe("Pick\n  1) Ex\n  2) Why\nDone\n");
    expect(a.externalMessageId).not.toBe(b.externalMessageId);
  });

  it("turns a typed number into a press of the newest message's buttons; after a message without buttons it is text", async () => {
    const t = terminal("ru-RU");
    await t.channel.start(t.deliver);
    await t.channel.send(to, { text: "Pick", choices: [{ value: "x", label: "Ex" }, { value: "y", label: "Why" }] });
    await t.channel.type("2");
    await t.channel.type("/start ref-1");
    await t.channel.send(to, { text: "Send the number of an idea" }); // a number question: "1" is an answer, not a stale button
    await t.channel.type("1");
    expect(t.events.map((e) => e.body)).toEqual([
      { kind: "choice", value: "y", label: "Why" },
      { kind: "command", command: "start", payload: "ref-1" },
      { kind: "text", text: "1" },
    ]);
    expect(t.events[0]).toMatchObject({ channel: "terminal", externalChatId: "alice", sender: { externalUserId: "alice", displayName: "alice", languageHint: "ru-RU" } });
    expect(t.events[0]!.externalMessageId).not.toBe(t.events[1]!.externalMessageId);
    expect(t.events[0]!.receivedAt).toBeInstanceOf(Date);
  });

  it("refuses typing before start and after stop", async () => {
    const t = terminal();
    await expect(t.channel.type("hi")).rejects.toThrow("terminal channel is not started");
    await t.channel.start(t.deliver);
    await t.channel.stop();
    await expect(t.channel.type("hi")).rejects.toThrow("terminal channel is not started");
    expect(t.events).toEqual([]);
  });
});

describe("TerminalChannel when the database is away (issue 13)", () => {
  it("keeps a message that could not be stored, says so, and delivers it before the next one, each once", async () => {
    const t = terminal();
    let down = true;
    const stored: string[] = [];
    await t.channel.start(async (e, receipt) => {
      if (down) throw new DatabaseUnavailableError(12, new Error("connect ECONNREFUSED"));
      stored.push((e.body as { text: string }).text);
      receipt?.stored();
    });
    const kept = await t.channel.type("where is my parcel?").catch((e: unknown) => e);
    expect(kept).toBeInstanceOf(MessagesKeptError);
    expect((kept as Error).message).toBe("not stored yet: the database is unavailable. Your message is kept and sent again with your next message, or press Enter to try now.");
    await expect(t.channel.type("hello?")).rejects.toThrow("2 messages are kept");
    expect(t.channel.keptCount).toBe(2);
    down = false;
    await t.channel.type("anyone?");
    expect(stored).toEqual(["where is my parcel?", "hello?", "anyone?"]);
    expect(t.channel.keptCount).toBe(0);
  });

  it("does not keep a message that was stored before its answer failed (sending it again would repeat it)", async () => {
    const t = terminal();
    let calls = 0;
    await t.channel.start(async (_e, receipt) => {
      calls++;
      receipt?.stored();
      throw new DatabaseUnavailableError(3, new Error("connection terminated"));
    });
    await expect(t.channel.type("hi")).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(t.channel.keptCount).toBe(0);
    await t.channel.retryKept();
    expect(calls).toBe(1);
  });
});

describe("TerminalChannel with the shipped NPS survey (issue 12: typed numbers are values)", () => {
  let app: TestApp | undefined;
  afterEach(async () => { await app?.close(); app = undefined; });

  it("stores NPS 0, 9 and 10 typed by the customer as typed, with the score buttons shown as values", async () => {
    app = await startTestApp();
    for (const score of ["0", "9", "10"]) {
      const user = `nps${score}`;
      let printed = "";
      const out = new Writable({ write(chunk, _enc, done) { printed += String(chunk); done(); } });
      const channel = new TerminalChannel(user, out);
      app.app.engine.attach(channel);
      await channel.start(app.app.engine.deliver);
      await channel.type("/help"); // a conversation that ends: the survey only starts for a customer who is not in one
      const identity = await app.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "terminal", externalId: user } } });
      expect(await app.app.engine.emit(identity.contactId, "nps.ask", {}, { channel: "terminal", externalChatId: user, externalUserId: user })).toBe("started");
      expect(printed).toContain("  [0] [1] [2] [3] [4] [5] [6] [7] [8] [9] [10]");
      expect(printed).not.toContain("11) 10");
      await channel.type(score);
      await channel.type("the delivery");
      const stored = await app.app.db.prisma.surveyResponse.findFirstOrThrow({ where: { contactId: identity.contactId } });
      expect(stored).toMatchObject({ survey: "nps", score: Number(score), comment: "the delivery" });
      await channel.stop();
    }
  });
});
