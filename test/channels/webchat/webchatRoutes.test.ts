import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebchatChannel } from "../../../src/channels/webchat/WebchatChannel";
import { WebchatFeed, type WebchatMessage } from "../../../src/channels/webchat/WebchatFeed";
import { webchatRoutes } from "../../../src/channels/webchat/webchatRoutes";
import { visitorIdOf } from "../../../src/channels/webchat/visitor";
import { silentLogger } from "../../../src/core/log";
import type { Address, InboundEvent, OutboundMessage } from "../../../src/core/message";
import { enqueueMessage } from "../../../src/outbox/enqueueMessage";
import { startTestApp, type TestApp } from "../../helpers/testApp";

// The web chat's HTTP side without a browser: messages in, replies out as server-sent events,
// history after a reload, rate limits per visitor and per address, CORS.

let t: TestApp;
let server: Server;
let base: string;
let other: Server; // a second instance on the same database: its own feed and routes, no engine
let otherBase: string;
let feed: WebchatFeed;
let otherFeed: WebchatFeed;
let channel: WebchatChannel;
const received: InboundEvent[] = [];
const TOKEN = "a".repeat(30);
const OTHER = "b".repeat(30);

beforeAll(async () => {
  t = await startTestApp();
  feed = new WebchatFeed(t.app.db, silentLogger);
  channel = new WebchatChannel(feed);
  t.app.engine.attach(channel);
  await channel.start(async (e) => { received.push(e); await t.app.engine.deliver(e); });
  otherFeed = new WebchatFeed(t.app.db, silentLogger, { pollMs: 50 });
  const otherRoute = webchatRoutes({ channel: new WebchatChannel(otherFeed), feed: otherFeed, db: t.app.db, log: silentLogger, allowedOrigins: ["*"] });
  other = createServer((req, res) => void otherRoute(req, res));
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
  const o = other.address();
  otherBase = `http://127.0.0.1:${typeof o === "object" && o ? o.port : 0}`;
  const route = webchatRoutes({ channel, feed, db: t.app.db, log: silentLogger, allowedOrigins: ["https://shop.example"], limits: { perVisitor: { max: 2, windowMs: 60_000 }, perAddress: { max: 50, windowMs: 60_000 } } });
  server = createServer((req, res) => void route(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
});
afterAll(async () => {
  await channel.stop();
  otherFeed?.stop();
  for (const s of [server, other]) { s?.closeAllConnections(); s?.close(); }
  await t?.close();
});

/** Queues a message as a staff reply would, and lets this instance's dispatcher send it. */
async function send(contactId: string, to: Address, message: OutboundMessage): Promise<void> {
  await t.app.db.prisma.$transaction((tx) => enqueueMessage(tx, { contactId, to, message, priority: "notification" }));
  await t.app.engine.outbox.drain(contactId);
}

/** Reads a server-sent events stream message by message. */
function events(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = fetch(url, { headers, signal: controller.signal });
  let buffer = "";
  const queue: WebchatMessage[] = [];
  const pump = (async () => {
    const reader = (await response).body!.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += new TextDecoder().decode(value);
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(block);
        if (data) queue.push(JSON.parse(data[1]!) as WebchatMessage);
      }
    }
  })().catch(() => undefined);
  return {
    async next(): Promise<WebchatMessage> {
      await expect.poll(() => queue.length, { timeout: 5_000 }).toBeGreaterThan(0);
      return queue.shift()!;
    },
    close() { controller.abort(); void pump; },
  };
}

const post = (body: unknown, headers: Record<string, string> = {}) => fetch(`${base}/webchat/v1/messages`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe("webchat routes", () => {
  it("delivers a message as the visitor's id (a digest of the token), in the browser's language", async () => {
    const res = await post({ token: TOKEN, text: "/start", locale: "ru-RU" }, { origin: "https://shop.example" });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    const body = await res.json() as { visitor: string };
    expect(body.visitor).toBe(visitorIdOf(TOKEN));
    expect(body.visitor).not.toContain(TOKEN);
    expect(received[0]).toMatchObject({ channel: "webchat", sender: { externalUserId: body.visitor, languageHint: "ru-RU" }, body: { kind: "command", command: "start" } });
    const contact = await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "webchat", externalId: body.visitor } }, include: { contact: true } });
    expect(contact.contact.locale).toBe("ru");
  });

  it("streams the replies as server-sent events from a sequence number, and lists the history", async () => {
    const res = await fetch(`${base}/webchat/v1/events?token=${TOKEN}&since=`);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes("event: message")) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const first = JSON.parse(/data: (.*)\n/.exec(text)![1]!) as WebchatMessage;
    expect(text).toContain(`id: ${first.id}\n`);
    expect(first.text).toBe(t.app.translator().t("ru", "welcome:greeting"));
    const history = await (await fetch(`${base}/webchat/v1/history?token=${TOKEN}`)).json() as { messages: { direction: string; text: string; choices?: unknown[] }[] };
    expect(history.messages[0]).toMatchObject({ direction: "in", text: "/start" });
    expect(history.messages.at(-1)!.choices!.length).toBeGreaterThan(1); // the menu's buttons
  });

  it("streams a reply another instance sent, and after a restart what came while the browser was away", async () => {
    const { lastId, messages } = await (await fetch(`${base}/webchat/v1/history?token=${TOKEN}`)).json() as { lastId: string; messages: { id?: string }[] };
    expect(lastId).toMatch(/^[0-9a-z]{21}$/);
    expect(messages.at(-1)!.id).toBe(lastId); // the newest bot message carries its outbox id
    // The browser's stream is held by the other instance; this one's dispatcher sends a staff reply.
    const stream = events(`${otherBase}/webchat/v1/events?token=${TOKEN}&since=${lastId}`);
    await expect.poll(() => otherFeed.open).toBe(1);
    const visitor = visitorIdOf(TOKEN);
    const { contactId } = await t.app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "webchat", externalId: visitor } } });
    const to = { channel: "webchat", externalChatId: visitor, externalUserId: visitor };
    await send(contactId, to, { text: "Anna from support: your parcel left today." });
    const got = await stream.next();
    expect(got).toMatchObject({ text: "Anna from support: your parcel left today." });
    expect(got.id > lastId).toBe(true);
    stream.close();
    // A message while no browser listens, then a new process (a fresh feed): the browser resumes from
    // the last id it had (Last-Event-ID, as EventSource sends on reconnect) and gets it.
    await send(contactId, to, { text: "Are you still there?", choices: [{ value: "yes", label: "Yes" }] });
    const restarted = new WebchatFeed(t.app.db, silentLogger);
    const resumed: WebchatMessage[] = [];
    const sub = await restarted.listen(visitor, got.id, (m) => resumed.push(m), () => undefined);
    expect(resumed.map((m) => [m.text, m.choices])).toEqual([["Are you still there?", [{ value: "yes", label: "Yes" }]]]);
    sub.close();
    restarted.stop();
    const viaHeader = events(`${base}/webchat/v1/events?token=${TOKEN}&since=${lastId}`, { "last-event-id": got.id });
    expect((await viaHeader.next()).text).toBe("Are you still there?");
    viaHeader.close();
  });

  it("takes a button press as a choice", async () => {
    await post({ token: TOKEN, choice: { value: "help", label: "Помощь" } });
    expect(received.at(-1)!.body).toEqual({ kind: "choice", value: "help", label: "Помощь" });
  });

  it("limits messages per visitor (429 with Retry-After), not other visitors", async () => {
    const res = await post({ token: TOKEN, text: "one more" });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await res.json() as { error: string }).error).toBe("rate_limited");
    expect((await post({ token: OTHER, text: "hello" })).status).toBe(200);
  });

  it("refuses a malformed token and an empty message", async () => {
    expect((await post({ token: "short", text: "x" })).status).toBe(400);
    expect((await post({ token: "c".repeat(30), text: "  " })).status).toBe(400);
  });

  it("serves the widget script to any site", async () => {
    const res = await fetch(`${base}/webchat/widget.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await res.text()).toContain("/webchat/v1");
  });
});
