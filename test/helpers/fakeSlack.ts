import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { FakeSocketMode } from "./fakeSlackSocket";

/**
 * How `FakeSlack.failNext` makes a call fail: a 429 with `Retry-After` (seconds) as Slack rate-limits,
 * an HTTP 200 `{ ok: false, error }` (Slack's platform errors), or an HTTP 500.
 */
export type SlackFailure = { status: 429; retryAfter: number } | { error: string } | { status: 500 };

/** One Web API call the fake received, with its arguments decoded (blocks as arrays, not JSON strings). */
export interface SlackCall {
  method: string;
  args: Record<string, any>;
  at: number;
  /** Set when the call was answered with an injected failure (`failNext`). */
  failed?: boolean;
  /** What the fake answered (e.g. the `ts` of a posted message). */
  result?: Record<string, any>;
}

/** A message the fake holds: posted by the bot, or added by a test as a person's. */
export interface FakeSlackMessage {
  channel: string;
  ts: string;
  user: string;
  botId?: string;
  text?: string;
  threadTs?: string;
  blocks?: unknown;
}

/** Options of `FakeSlack.start`: the bot's identity, channel membership and user profiles. */
export interface FakeSlackOptions {
  /** The bot token calls must carry (default "xoxb-test-token"). */
  token?: string;
  /** The app-level token apps.connections.open must carry (default "xapp-test-token"). */
  appToken?: string;
  botUserId?: string;
  botId?: string;
  /** Channel id -> member user ids, for conversations.members. */
  members?: Record<string, string[]>;
  /** User id -> profile, for users.info. */
  users?: Record<string, { name: string; realName?: string }>;
}

/**
 * A Slack Web API emulator on loopback, for end-to-end tests of the Slack channel (a Bolt app whose
 * WebClient gets `slackApiUrl: fake.apiUrl`). It answers the few methods the app uses with the shapes
 * Slack returns, checks the bot token, records every call with form fields JSON-decoded, and fails
 * calls on demand (429 with Retry-After, platform errors, 500) to test retries and error handling.
 */
export class FakeSlack {
  /** Every API call received, in order (also failed and unauthorized ones). */
  readonly calls: SlackCall[] = [];
  /** Channel id -> member user ids; tests change it to simulate joins and leaves. */
  members: Record<string, string[]>;
  /** User id -> profile answered by users.info. */
  users: Record<string, { name: string; realName?: string }>;
  /** The bot token every call must carry. */
  readonly token: string;
  /** The app-level token of Socket Mode. */
  readonly appToken: string;
  /** The bot's user id (auth.test, author of posted messages). */
  readonly botUserId: string;
  /** The bot's bot id (auth.test, `bot_id` of posted messages). */
  readonly botId: string;
  private readonly faults = new Map<string, SlackFailure[]>();
  /** Every message in the workspace by "channel ts": the bot's posts and those tests add with `addMessage`. */
  private readonly messages = new Map<string, FakeSlackMessage>();
  private readonly reactions = new Set<string>(); // "channel ts name"
  private nextTs = 1;
  /** Files uploaded with files.uploadV2 (getUploadURLExternal → upload → completeUploadExternal), by file id. */
  readonly uploads = new Map<string, { id: string; filename: string; length: number; bytes?: Buffer; channel?: string; threadTs?: string; comment?: string; blocks?: unknown[]; completed?: boolean }>();

  /** `apiUrl`: "http://127.0.0.1:PORT/api/", which WebClient's `slackApiUrl` takes (it POSTs to `<apiUrl><method>`). */
  private constructor(private readonly server: Server, readonly apiUrl: string, options: FakeSlackOptions) {
    this.token = options.token ?? "xoxb-test-token";
    this.appToken = options.appToken ?? "xapp-test-token";
    this.botUserId = options.botUserId ?? "UBOT";
    this.botId = options.botId ?? "BBOT";
    this.members = { ...options.members };
    this.users = { ...options.users };
  }

  /** Starts the emulator on a free port of 127.0.0.1; `apiUrl` is what WebClient's `slackApiUrl` takes. */
  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    let fake: FakeSlack | undefined;
    const server = createServer((req, res) => void fake!.handle(req, res));
    server.on("upgrade", (req, socket) => fake!.socketMode.accept(req, socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    fake = new FakeSlack(server, `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/api/`, options);
    return fake;
  }

  /** Stops the emulator, dropping open keep-alive connections. */
  async close(): Promise<void> {
    this.socketMode.closeAll();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Socket Mode: apps.connections.open (with `appToken`) hands out a WebSocket URL served here. */
  readonly socketMode = new FakeSocketMode();

  /** The next `times` calls of `method` fail this way (and are recorded with `failed: true`). */
  failNext(method: string, failure: SlackFailure, times = 1): void {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.faults.set(method, list);
  }

  /** Arguments of the calls of one method, oldest first. */
  callsTo(method: string): Record<string, any>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /**
   * Puts a message into a channel (a staff member's reply in a thread, say) as if a person wrote it
   * in Slack; returns its ts. conversations.replies lists it, and the bot cannot chat.delete it.
   */
  addMessage(channel: string, message: { user: string; text: string; threadTs?: string }): string {
    const ts = this.ts();
    this.messages.set(`${channel} ${ts}`, { channel, ts, user: message.user, text: message.text, threadTs: message.threadTs });
    return ts;
  }

  /** A message as it is now (after chat.update), or undefined when deleted or never posted. */
  message(channel: string, ts: string): FakeSlackMessage | undefined {
    return this.messages.get(`${channel} ${ts}`);
  }

    /** Arguments of chat.postMessage calls (to one channel if given), oldest first. */
  posted(channel?: string): Record<string, any>[] {
    return this.callsTo("chat.postMessage").filter((a) => channel === undefined || a.channel === channel);
  }

  /** Polls `fn` every 10 ms until it returns something truthy, which it resolves with; fails after `timeoutMs`. */
  async waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const value = await fn();
      if (value) return value;
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms; Slack calls so far: ${JSON.stringify(this.calls.map((c) => c.method))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers }).end(JSON.stringify(body));
    };
    const upload = /^\/upload\/(\w+)$/.exec(req.url ?? "");
    if (upload && req.method === "POST") {
      // files.uploadV2's second step: the bytes go to the URL files.getUploadURLExternal gave.
      const pending = this.uploads.get(upload[1]!);
      if (!pending) return reply(404, { ok: false, error: "file_not_found" });
      pending.bytes = Buffer.concat(chunks);
      res.writeHead(200, { "content-type": "text/plain" }).end(`OK - ${pending.bytes.length}`);
      return;
    }
    const m = /^\/api\/([\w.]+)(\?.*)?$/.exec(req.url ?? "");
    if (!m || req.method !== "POST") return reply(404, { ok: false, error: "not_found" });
    const method = m[1]!;
    const args = parseBody(Buffer.concat(chunks).toString("utf8"), req.headers["content-type"] ?? "");
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const call: SlackCall = { method, args, at: Date.now() };
    this.calls.push(call);
    const expected = method === "apps.connections.open" ? this.appToken : this.token;
    if ((bearer ?? args.token) !== expected) {
      args.__auth = "invalid";
      return reply(200, { ok: false, error: "invalid_auth" });
    }
    const fault = this.faults.get(method)?.shift();
    if (fault) {
      call.failed = true;
      if ("error" in fault) return reply(200, { ok: false, error: fault.error });
      if (fault.status === 429) return reply(429, { ok: false, error: "ratelimited" }, { "retry-after": String(fault.retryAfter) });
      return reply(500, { ok: false, error: "internal_error" });
    }
    call.result = this.answer(method, args);
    reply(200, call.result);
  }

  /** The answer to an authorized call that is not failed on purpose. */
  private answer(method: string, args: Record<string, any>): Record<string, unknown> {
    const error = (error: string) => ({ ok: false, error });
    switch (method) {
      case "apps.connections.open":
        return { ok: true, url: `${this.apiUrl.replace(/^http/, "ws").replace(/api\/$/, "")}socket-mode?ticket=${this.nextTs++}` };
      case "auth.test":
        return { ok: true, url: "https://fake.slack.com/", team: "Fake", user: "rapport", team_id: "T1", user_id: this.botUserId, bot_id: this.botId };
      case "chat.postMessage": {
        if (!args.channel) return error("channel_not_found");
        const ts = this.ts();
        this.messages.set(`${args.channel} ${ts}`, { channel: args.channel, ts, user: this.botUserId, botId: this.botId, text: args.text, threadTs: args.thread_ts, blocks: args.blocks });
        const message = omitUndefined({ text: args.text, user: this.botUserId, bot_id: this.botId, ts, thread_ts: args.thread_ts, blocks: args.blocks });
        return { ok: true, channel: args.channel, ts, message };
      }
      case "chat.update": {
        const message = this.messages.get(`${args.channel} ${args.ts}`);
        if (!message) return error("message_not_found");
        if (message.user !== this.botUserId) return error("cant_update_message");
        Object.assign(message, { text: args.text, blocks: args.blocks });
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      }
      case "chat.delete": {
        const message = this.messages.get(`${args.channel} ${args.ts}`);
        if (!message) return error("message_not_found");
        if (message.user !== this.botUserId) return error("cant_delete_message"); // a bot token deletes only its own
        this.messages.delete(`${args.channel} ${args.ts}`);
        return { ok: true, channel: args.channel, ts: args.ts };
      }
      case "conversations.replies": {
        const parent = this.messages.get(`${args.channel} ${args.ts}`);
        if (!parent) return error("thread_not_found");
        const thread = [parent, ...[...this.messages.values()].filter((m) => m.channel === args.channel && m.threadTs === args.ts)]
          .sort((a, b) => Number(a.ts) - Number(b.ts));
        return { ok: true, messages: thread.map((m) => omitUndefined({ ts: m.ts, user: m.user, bot_id: m.botId, text: m.text, thread_ts: m.threadTs ?? (m === parent ? m.ts : undefined) })), has_more: false, response_metadata: { next_cursor: "" } };
      }
      case "chat.postEphemeral":
        if (!args.channel) return error("channel_not_found");
        return { ok: true, message_ts: this.ts() };
      case "reactions.add": {
        const key = `${args.channel} ${args.timestamp} ${args.name}`;
        if (this.reactions.has(key)) return error("already_reacted");
        this.reactions.add(key);
        return { ok: true };
      }
      case "conversations.members": {
        const all = this.members[args.channel];
        if (!all) return error("channel_not_found");
        const offset = Number(args.cursor || 0);
        const limit = Number(args.limit || 100);
        const next = offset + limit < all.length ? String(offset + limit) : "";
        return { ok: true, members: all.slice(offset, offset + limit), response_metadata: { next_cursor: next } };
      }
      case "files.getUploadURLExternal": {
        const id = `F${this.nextTs++}`;
        this.uploads.set(id, { id, filename: args.filename, length: Number(args.length) });
        return { ok: true, upload_url: `${this.apiUrl.replace(/api\/$/, "")}upload/${id}`, file_id: id };
      }
      case "files.completeUploadExternal": {
        const files = (args.files as { id: string; title?: string }[]).map((f) => {
          const u = this.uploads.get(f.id);
          if (u) Object.assign(u, { channel: args.channel_id, threadTs: args.thread_ts, comment: args.initial_comment, blocks: args.blocks, completed: true });
          return { id: f.id, title: f.title ?? u?.filename };
        });
        return { ok: true, files };
      }
      case "users.info": {
        const user = this.users[args.user];
        if (!user) return error("user_not_found");
        const realName = user.realName ?? user.name;
        return { ok: true, user: { id: args.user, name: user.name, real_name: realName, profile: { display_name: user.name, real_name: realName } } };
      }
      default:
        return error("unknown_method");
    }
  }

  /** A fresh message timestamp, increasing like Slack's: "1700000000.000100", "1700000000.000200", … */
  private ts(): string {
    const micros = this.nextTs++ * 100;
    return `${1700000000 + Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, "0")}`;
  }
}

/** Decodes a Web API request body: JSON, or a form whose object/array fields WebClient JSON-encoded. */
function parseBody(text: string, contentType: string): Record<string, any> {
  if (!text) return {};
  if (contentType.includes("application/json")) return JSON.parse(text) as Record<string, any>;
  const args: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    args[key] = value;
    if (value.startsWith("[") || value.startsWith("{")) {
      try {
        args[key] = JSON.parse(value);
      } catch {
        // a text that merely starts with a bracket
      }
    }
  }
  return args;
}

/** The object without its undefined fields, as Slack leaves absent fields out. */
function omitUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Slack's request signature (`x-slack-signature`): "v0=" + hex HMAC-SHA256 of "v0:<timestamp>:<body>"
 * with the app's signing secret. Tests sign requests to the Bolt app with it, or forge bad ones.
 */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/**
 * Posts to the Bolt app's HTTP receiver as Slack does: signed, with the timestamp header and, for
 * redeliveries, the retry headers. `timestamp` and `signature` can be overridden to test rejection of
 * stale or forged requests.
 */
export async function postToSlackApp(
  url: string,
  signingSecret: string,
  body: { json: unknown } | { form: Record<string, string> },
  options: { timestamp?: number; signature?: string; retryNum?: number } = {},
): Promise<{ status: number; text: string }> {
  const isJson = "json" in body;
  const text = isJson ? JSON.stringify(body.json) : new URLSearchParams(body.form).toString();
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    "content-type": isJson ? "application/json" : "application/x-www-form-urlencoded",
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": options.signature ?? slackSignature(signingSecret, timestamp, text),
  };
  if (options.retryNum !== undefined) {
    headers["x-slack-retry-num"] = String(options.retryNum);
    headers["x-slack-retry-reason"] = "http_timeout";
  }
  const res = await fetch(url, { method: "POST", headers, body: text });
  return { status: res.status, text: await res.text() };
}

/**
 * An Events API `event_callback` envelope carrying a `message` event in a channel, as Slack posts it
 * (a customer's or agent's message; `botId`/`subtype` make bot echoes and edits). Undefined fields are
 * left out; `eventId` defaults to a fresh one, so give the same one to simulate a redelivery.
 */
export function messageEvent(e: { channel: string; user: string; text: string; ts: string; threadTs?: string; botId?: string; subtype?: string; eventId?: string }): unknown {
  return {
    token: "x",
    team_id: "T1",
    api_app_id: "A1",
    type: "event_callback",
    event_id: e.eventId ?? `Ev${randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    event: omitUndefined({
      type: "message", channel: e.channel, user: e.user, text: e.text, ts: e.ts, thread_ts: e.threadTs,
      bot_id: e.botId, subtype: e.subtype, channel_type: "channel", event_ts: e.ts,
    }),
    authorizations: [{ team_id: "T1", user_id: "UBOT", is_bot: true }],
  };
}

/**
 * A button press (`block_actions` interaction) on a channel message, as the form body Slack posts
 * (`payload` = the JSON). Pass it to `postToSlackApp`.
 */
export function blockAction(a: { user: string; actionId: string; value: string; channel: string; messageTs: string; blockId?: string }): { form: { payload: string } } {
  const payload = {
    type: "block_actions",
    team: { id: "T1" },
    user: { id: a.user, username: a.user, name: a.user, team_id: "T1" },
    api_app_id: "A1",
    token: "x",
    container: { type: "message", message_ts: a.messageTs, channel_id: a.channel, is_ephemeral: false },
    trigger_id: "t",
    channel: { id: a.channel, name: "support" },
    message: { ts: a.messageTs, type: "message", text: "" },
    response_url: "<not used>",
    actions: [{ type: "button", action_id: a.actionId, block_id: a.blockId ?? "ticket", value: a.value, action_ts: (Date.now() / 1000).toFixed(6) }],
  };
  return { form: { payload: JSON.stringify(payload) } };
}
