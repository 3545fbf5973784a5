import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { TerminalChannel } from "../../../src/channels/terminal/TerminalChannel";
import type { Address, InboundEvent } from "../../../src/core/message";

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
