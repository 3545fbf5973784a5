import type { IncomingMessage, ServerResponse } from "node:http";
import type { Database } from "../../db/Database";
import type { Logger } from "../../core/log";
import { parseCommand, type InboundBody } from "../../core/message";
import { ApiError } from "../../http/api/errors";
import { readJsonBody } from "../../http/api/readJsonBody";
import { toApiError } from "../../http/api/toApiError";
import { sendJson, type Route } from "../../http/server";
import { sendAsset } from "../../console/http/assets";
import { timeline } from "../../history/timeline";
import { RateLimiter, type Rate } from "./RateLimiter";
import { visitorIdOf, VISITOR_TOKEN } from "./visitor";
import type { WebchatChannel } from "./WebchatChannel";
import type { WebchatFeed, WebchatMessage } from "./WebchatFeed";

/** How much one visitor and one address may send (README, "Web chat"). */
export interface WebchatLimits {
  perVisitor: Rate;
  perAddress: Rate;
}

/** A visitor may send 20 messages in 30 s; one address (an office behind one NAT) 120 a minute. */
export const WEBCHAT_LIMITS: WebchatLimits = { perVisitor: { max: 20, windowMs: 30_000 }, perAddress: { max: 120, windowMs: 60_000 } };

/** What the routes need: the channel, its feed (the replies), the database (history), and optionally the Telegram link maker. */
export interface WebchatDeps {
  channel: WebchatChannel;
  feed: WebchatFeed;
  db: Database;
  log: Logger;
  /** Origins allowed to embed the widget (CORS); ["*"] for any site. */
  allowedOrigins: string[];
  limits?: WebchatLimits;
  /** Makes a one-time code joining the visitor to a Telegram contact (`/start web-<code>`). */
  linkCode?: (visitorId: string) => Promise<{ code: string; link?: string; expiresAt: string }>;
}

const MAX_TEXT = 4_000;
const KEEPALIVE_MS = 20_000;

/**
 * The web chat's HTTP side on PORT: the widget script (`/webchat/widget.js`, one `<script>` tag on
 * any site), `POST /webchat/v1/messages` (a message or a button press), `GET /webchat/v1/events`
 * (server-sent events with the replies, resumable with `since` or Last-Event-ID: the ids are the
 * outbox rows', so any instance can resume a stream), `GET /webchat/v1/history` (the conversation so
 * far, after a reload) and `POST /webchat/v1/link` (a code to join Telegram). The
 * visitor's token travels in the body or query, never in a cookie, so any site can embed the widget.
 */
export function webchatRoutes(deps: WebchatDeps): Route {
  const limits = deps.limits ?? WEBCHAT_LIMITS;
  const perVisitor = new RateLimiter(limits.perVisitor);
  const perAddress = new RateLimiter(limits.perAddress);
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://webchat.invalid");
    const path = url.pathname;
    if (!path.startsWith("/webchat/")) return false;
    const cors = corsHeaders(req, deps.allowedOrigins);
    if (path === "/webchat/widget.js" || path === "/webchat/widget.css") {
      if (!sendAsset(res, path.slice("/webchat/".length), { ...cors, "cross-origin-resource-policy": "cross-origin" })) sendJson(res, 404, { error: "not_found" });
      return true;
    }
    for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
    if (req.method === "OPTIONS") {
      res.writeHead(204, { "access-control-allow-methods": "GET, POST", "access-control-allow-headers": "content-type", "access-control-max-age": "600" });
      res.end();
      return true;
    }
    try {
      const address = req.socket.remoteAddress ?? "unknown";
      if (path === "/webchat/v1/messages" && req.method === "POST") {
        const body = await readJsonBody(req, 16 * 1024) as Record<string, unknown>;
        const visitor = visitorOf(body.token);
        limit(perAddress.take(`a:${address}`), "this address");
        limit(perVisitor.take(`v:${visitor}`), "this visitor");
        const inbound = bodyOf(body);
        const locale = typeof body.locale === "string" ? body.locale.slice(0, 35) : undefined;
        const name = typeof body.name === "string" && body.name.trim() ? body.name.trim().slice(0, 80) : undefined;
        await deps.channel.receive(visitor, inbound, locale, name);
        sendJson(res, 200, { ok: true, visitor });
        return true;
      }
      if (path === "/webchat/v1/events" && req.method === "GET") {
        const visitor = visitorOf(url.searchParams.get("token"));
        limit(perAddress.take(`a:${address}`), "this address");
        // A browser reconnecting on its own sends Last-Event-ID (newer than the `since` in its URL).
        const since = [url.searchParams.get("since") ?? "", String(req.headers["last-event-id"] ?? "")].sort().at(-1)!;
        await stream(deps.feed, deps.log, visitor, since, req, res);
        return true;
      }
      if (path === "/webchat/v1/history" && req.method === "GET") {
        const visitor = visitorOf(url.searchParams.get("token"));
        limit(perAddress.take(`a:${address}`), "this address");
        sendJson(res, 200, { visitor, ...await history(deps.db, visitor) });
        return true;
      }
      if (path === "/webchat/v1/link" && req.method === "POST") {
        const body = await readJsonBody(req, 4 * 1024) as Record<string, unknown>;
        const visitor = visitorOf(body.token);
        limit(perVisitor.take(`v:${visitor}`), "this visitor");
        if (!deps.linkCode) throw new ApiError(404, "not_found", "joining a Telegram chat is not available here");
        sendJson(res, 200, await deps.linkCode(visitor));
        return true;
      }
      throw new ApiError(404, "not_found", `no web chat endpoint ${req.method} ${path}`);
    } catch (error) {
      const refusal = toApiError(error);
      if (!refusal) throw error;
      for (const [k, v] of Object.entries(refusal.headers)) res.setHeader(k, v);
      sendJson(res, refusal.status, refusal.body());
      return true;
    }
  };
}

function visitorOf(token: unknown): string {
  if (typeof token !== "string" || !VISITOR_TOKEN.test(token)) throw new ApiError(400, "invalid_field", "token: the widget's visitor token (22-128 URL-safe characters) is missing or malformed", "token");
  return visitorIdOf(token);
}

function limit(waitSeconds: number, who: string): void {
  if (waitSeconds > 0) throw new ApiError(429, "rate_limited", `too many messages from ${who}; wait ${waitSeconds} s`, undefined, { "retry-after": String(waitSeconds) });
}

/** A posted message as a core body: a button press, a /command, or text. */
export function bodyOf(body: Record<string, unknown>): InboundBody {
  const choice = body.choice as { value?: unknown; label?: unknown } | undefined;
  if (choice && typeof choice === "object" && typeof choice.value === "string" && choice.value.length <= 200) {
    return { kind: "choice", value: choice.value, label: typeof choice.label === "string" ? choice.label.slice(0, 200) : undefined };
  }
  if (typeof body.text !== "string" || body.text.trim() === "") throw new ApiError(400, "missing_field", "text: write something, or press a button (choice)", "text");
  const text = body.text.slice(0, MAX_TEXT);
  return parseCommand(text) ?? { kind: "text", text };
}

function corsHeaders(req: IncomingMessage, allowed: string[]): Record<string, string> {
  const origin = req.headers.origin;
  if (allowed.includes("*")) return { "access-control-allow-origin": "*" };
  if (origin && allowed.includes(origin)) return { "access-control-allow-origin": origin, vary: "Origin" };
  return { vary: "Origin" };
}

async function stream(feed: WebchatFeed, log: Logger, visitor: string, since: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
  const write = (m: WebchatMessage) => res.write(`id: ${m.id}\nevent: message\ndata: ${JSON.stringify(m)}\n\n`);
  res.write(": connected\nretry: 2000\n\n");
  let closed = false;
  let sub: { close: () => void } | undefined;
  const ping = setInterval(() => res.write(": ping\n\n"), KEEPALIVE_MS);
  const done = () => { closed = true; clearInterval(ping); sub?.close(); };
  req.on("close", done);
  res.on("close", done);
  try {
    sub = await feed.listen(visitor, since, write, () => res.end());
  } catch (error) {
    log.warn("web chat: could not open a stream; the browser will reconnect", { error: error as Error });
    res.end();
    return;
  }
  if (closed) sub.close();
}

/**
 * The visitor's conversation so far (the last 40 messages), from the contact history, each bot message
 * with its outbox id where it has one, and `lastId`: the newest outbox id for the visitor, read before
 * the history, so the stream (from `lastId`) repeats at most a message the history already has (the
 * widget skips ids it showed) and never misses one.
 */
async function history(db: Database, visitor: string): Promise<{ lastId: string; messages: { direction: string; text: string; at: string; id?: string; choices?: unknown }[] }> {
  const identity = await db.prisma.channelIdentity.findUnique({ where: { channel_externalId: { channel: "webchat", externalId: visitor } } });
  if (!identity) return { lastId: "", messages: [] };
  const sent = await db.prisma.outboxMessage.findMany({ where: { contactId: identity.contactId, channel: "webchat", chatId: visitor }, orderBy: { id: "desc" }, take: 100, select: { id: true, interactionId: true } });
  const lastId = sent[0]?.id ?? "";
  const idOf = new Map(sent.filter((o) => o.interactionId).map((o) => [o.interactionId!, o.id]));
  const entries = await timeline(db, identity.contactId, 200);
  const messages = entries.filter((e) => (e.direction === "in" || e.direction === "out") && e.text).slice(-40)
    .map((e) => ({ direction: e.direction, text: e.text!, at: e.at, ...(idOf.has(e.id) ? { id: idOf.get(e.id)! } : {}),
      ...(e.direction === "out" && (e.data as { choices?: unknown } | null)?.choices ? { choices: (e.data as { choices: unknown }).choices } : {}) }));
  return { lastId, messages };
}
