import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebchatChannel } from "../../../src/channels/webchat/WebchatChannel";
import { webchatRoutes } from "../../../src/channels/webchat/webchatRoutes";
import { visitorIdOf } from "../../../src/channels/webchat/visitor";
import { silentLogger } from "../../../src/core/log";
import type { InboundEvent } from "../../../src/core/message";
import { startTestApp, type TestApp } from "../../helpers/testApp";

// The web chat's HTTP side without a browser: messages in, replies out as server-sent events,
// history after a reload, rate limits per visitor and per address, CORS.

let t: TestApp;
let server: Server;
let base: string;
const channel = new WebchatChannel();
const received: InboundEvent[] = [];
const TOKEN = "a".repeat(30);
const OTHER = "b".repeat(30);

beforeAll(async () => {
  t = await startTestApp();
  t.app.engine.attach(channel);
  await channel.start(async (e) => { received.push(e); await t.app.engine.deliver(e); });
  const route = webchatRoutes({ channel, db: t.app.db, log: silentLogger, allowedOrigins: ["https://shop.example"], limits: { perVisitor: { max: 2, windowMs: 60_000 }, perAddress: { max: 50, windowMs: 60_000 } } });
  server = createServer((req, res) => void route(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
});
afterAll(async () => {
  await channel.stop();
  server?.closeAllConnections();
  server?.close();
  await t?.close();
});

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
    const res = await fetch(`${base}/webchat/v1/events?token=${TOKEN}&since=0`);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes("event: message")) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const first = JSON.parse(/data: (.*)\n/.exec(text)![1]!) as { seq: number; text: string };
    expect(first.text).toBe(t.app.translator().t("ru", "welcome:greeting"));
    const history = await (await fetch(`${base}/webchat/v1/history?token=${TOKEN}`)).json() as { messages: { direction: string; text: string; choices?: unknown[] }[] };
    expect(history.messages[0]).toMatchObject({ direction: "in", text: "/start" });
    expect(history.messages.at(-1)!.choices!.length).toBeGreaterThan(1); // the menu's buttons
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
