import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { InlineKeyboardButton, Message, Update } from "grammy/types";

/**
 * A Telegram Bot API emulator on loopback, for end-to-end tests of the Telegram channel. It does
 * what `telegram-test-api` does not (issue #4): long polling that really waits, offsets that
 * confirm updates, webhooks with the secret-token header and redelivery of failed posts,
 * answerCallbackQuery and edits that return what Telegram returns, setMyCommands, 429 with
 * retry_after and 403 for blocked chats on demand. Customers are simulated with `customer()`.
 */
export class FakeTelegram {
  readonly token = "123456:TEST-fake-token";
  readonly bot = { id: 123456, is_bot: true as const, first_name: "Rapport Test", username: "rapport_test_bot" };
  /** Every API call received, in order (after the token check). */
  readonly calls: { method: string; payload: Record<string, any>; at: number }[] = [];
  /** Messages the bot sent, with their keyboards as they are now (edits applied). */
  readonly sent: SentMessage[] = [];
  /** Webhook posts and their HTTP status, in order. */
  readonly posts: { updateId: number; status: number }[] = [];
  webhook: { url: string; secret?: string } | undefined;
  private pending: Update[] = [];
  private readonly repeats = new Set<Update>();
  private waiting: (() => void)[] = [];
  private readonly faults = new Map<string, ({ error_code: number; description: string; parameters?: Record<string, unknown>; status?: number } | undefined)[]>();
  private readonly blocked = new Set<string>();
  private readonly held = new Set<string>();
  private nextUpdateId = 5000;
  private nextMessageId = 100;
  private closed = false;

  private constructor(private readonly server: Server, readonly apiRoot: string) {}

  /** Starts the emulator on a free port of 127.0.0.1. */
  static async start(): Promise<FakeTelegram> {
    let fake: FakeTelegram | undefined;
    const server = createServer((req, res) => void fake!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    fake = new FakeTelegram(server, `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
    return fake;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** After `after` more calls of `method` succeed, the next `times` fail with this Bot API error (429, 500, …). */
  fail(method: string, error: { error_code: number; description: string; parameters?: Record<string, unknown> }, times = 1, after = 0): void {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < after; i++) list.push(undefined);
    for (let i = 0; i < times; i++) list.push(error);
    this.faults.set(method, list);
  }

  /**
   * Calls of `method` are recorded but never answered (Telegram stalls; the bot is killed while it
   * waits), until `release`: what was held never reached a chat, later calls are answered again.
   */
  hold(method: string): void {
    this.held.add(method);
  }

  /** Ends `hold`. */
  release(method: string): void {
    this.held.delete(method);
  }

  /** The customer in this chat blocked the bot: sends answer 403. */
  block(chatId: number | string): void {
    this.blocked.add(String(chatId));
  }

  /** The customer unblocked the bot again. */
  unblock(chatId: number | string): void {
    this.blocked.delete(String(chatId));
  }

  /** A simulated customer in a private chat. */
  customer(id: number, profile: { first_name?: string; last_name?: string; username?: string; language_code?: string } = {}): FakeCustomer {
    return new FakeCustomer(this, { id, is_bot: false, first_name: profile.first_name ?? `User${id}`, last_name: profile.last_name, username: profile.username, language_code: profile.language_code });
  }

  /** A fresh update id. */
  updateId(): number {
    return this.nextUpdateId++;
  }

  /** A fresh message id. */
  messageId(): number {
    return this.nextMessageId++;
  }

  /**
   * Hands an update to the bot: queued for getUpdates, or posted to the webhook (with the secret,
   * retried like Telegram while the bot answers non-2xx). Resolves with the first post's status.
   */
  async push(update: Update): Promise<number | undefined> {
    if (!this.webhook) {
      this.pending.push(update);
      for (const wake of this.waiting.splice(0)) wake();
      return undefined;
    }
    let first: number | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      const status = await this.post(update, this.webhook.secret);
      first ??= status;
      if (status >= 200 && status < 300) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return first;
  }

  /**
   * Delivers an update again, as Telegram does when polling restarts before the update was confirmed
   * (or a webhook post was not acknowledged): for getUpdates it is returned once whatever the offset.
   */
  async redeliver(update: Update): Promise<number | undefined> {
    if (this.webhook) return this.push(update);
    this.repeats.add(update);
    return this.push(update);
  }

  /** One webhook POST as Telegram makes it, with any secret header (forgeries in tests). */
  post(update: unknown, secret: string | undefined, body = JSON.stringify(update)): Promise<number> {
    const url = new URL(this.webhook!.url);
    return new Promise((resolve, reject) => {
      const req = request(url, { method: "POST", headers: { "content-type": "application/json", ...(secret === undefined ? {} : { "x-telegram-bot-api-secret-token": secret }) } }, (res) => {
        res.resume();
        res.on("end", () => {
          this.posts.push({ updateId: (update as Update)?.update_id, status: res.statusCode ?? 0 });
          resolve(res.statusCode ?? 0);
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  /** Messages the bot sent to a chat, oldest first. */
  messagesTo(chatId: number | string): SentMessage[] {
    return this.sent.filter((m) => m.chatId === String(chatId));
  }

  /** Calls of one method. */
  callsOf(method: string): Record<string, any>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.payload);
  }

  /** Waits until `check` holds (polling every 10 ms), or fails after `timeoutMs` with `what`. */
  async waitFor(what: string | (() => string), check: () => boolean, timeoutMs = 8000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.url ?? "");
    if (file && req.method === "GET") {
      // The Bot API's file download: https://api.telegram.org/file/bot<token>/<file_path>
      if (file[1] !== this.token) return void res.writeHead(401).end();
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(fileBytes(file[2]!));
      return;
    }
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = (status: number, body: unknown) => {
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (!m) return reply(404, { ok: false, error_code: 404, description: "Not Found" });
    if (m[1] !== this.token) return reply(401, { ok: false, error_code: 401, description: "Unauthorized" });
    const method = m[2]!;
    const payload = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
    this.calls.push({ method, payload, at: Date.now() });
    if (this.held.has(method)) return; // never answered: the caller waits until it gives up or dies
    const fault = this.faults.get(method)?.shift();
    if (fault) return reply(fault.error_code >= 400 && fault.error_code < 600 ? fault.error_code : 400, { ok: false, ...fault });
    if (payload.chat_id !== undefined && method.startsWith("send") && this.blocked.has(String(payload.chat_id))) {
      return reply(403, { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" });
    }
    const ok = (result: unknown) => reply(200, { ok: true, result });
    switch (method) {
      case "getMe":
        return ok({ ...this.bot, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false });
      case "getUpdates":
        return ok(await this.updatesFor(payload, req));
      case "setWebhook":
        this.webhook = { url: payload.url, secret: payload.secret_token };
        return ok(true);
      case "deleteWebhook":
        this.webhook = undefined;
        return ok(true);
      case "getWebhookInfo":
        return ok({ url: this.webhook?.url ?? "", has_custom_certificate: false, pending_update_count: this.pending.length });
      case "setMyCommands":
      case "sendChatAction":
      case "answerCallbackQuery":
        return ok(true);
      case "sendMessage":
        return ok(this.record(payload));
      case "getFile":
        return ok({ file_id: payload.file_id, file_unique_id: `u${payload.file_id}`, file_size: fileBytes(`files/${payload.file_id}.jpg`).length, file_path: `files/${payload.file_id}.jpg` });
      case "editMessageReplyMarkup":
      case "editMessageText": {
        const msg = this.sent.find((s) => s.chatId === String(payload.chat_id) && s.messageId === payload.message_id);
        if (!msg) return reply(400, { ok: false, error_code: 400, description: "Bad Request: message to edit not found" });
        if (payload.text !== undefined) msg.text = payload.text;
        const rows = payload.reply_markup?.inline_keyboard as InlineKeyboardButton[][] | undefined;
        msg.keyboard = rows?.length ? rows : undefined;
        return ok(this.asMessage(msg));
      }
      default:
        return reply(404, { ok: false, error_code: 404, description: `Not Found: method ${method} is not emulated` });
    }
  }

  /** getUpdates: confirms everything before `offset`, then answers at once or waits up to `timeout` s. */
  private async updatesFor(payload: { offset?: number; limit?: number; timeout?: number }, req: IncomingMessage): Promise<Update[]> {
    const offset = payload.offset ?? 0;
    this.pending = this.pending.filter((u) => u.update_id >= offset || this.repeats.has(u));
    if (this.pending.length === 0 && (payload.timeout ?? 0) > 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        // One keep-alive socket carries many long polls: its close listener goes with each poll.
        const done = () => { clearTimeout(timer); req.socket.off("close", done); resolve(); };
        const timer = setTimeout(done, (payload.timeout ?? 0) * 1000);
        this.waiting.push(done);
        req.socket.once("close", done);
      });
    }
    const batch = this.pending.slice(0, payload.limit ?? 100);
    for (const u of batch) if (this.repeats.delete(u)) this.pending.splice(this.pending.indexOf(u), 1); // a repeat is returned once
    return batch;
  }

  private record(payload: Record<string, any>): Message {
    const msg: SentMessage = {
      chatId: String(payload.chat_id), messageId: this.messageId(), text: payload.text,
      keyboard: payload.reply_markup?.inline_keyboard, replyTo: payload.reply_parameters?.message_id, at: Date.now(),
    };
    this.sent.push(msg);
    return this.asMessage(msg);
  }

  private asMessage(msg: SentMessage): Message {
    return {
      message_id: msg.messageId, date: Math.floor(msg.at / 1000), chat: { id: Number(msg.chatId), type: "private", first_name: "Customer" },
      from: { ...this.bot }, text: msg.text, ...(msg.keyboard ? { reply_markup: { inline_keyboard: msg.keyboard } } : {}),
    } as Message;
  }
}

/** A message the bot sent, as the emulator holds it now. */
/** The bytes FakeTelegram serves for a file path: derived from the path, so a test can check what arrived. */
export function fileBytes(path: string): Buffer {
  return Buffer.from(`fake file ${path}`);
}

export interface SentMessage {
  chatId: string;
  messageId: number;
  text: string;
  keyboard?: InlineKeyboardButton[][];
  replyTo?: number;
  at: number;
}

/** A customer in a private chat with the bot. Each action builds the update Telegram would send. */
export class FakeCustomer {
  constructor(private readonly telegram: FakeTelegram, readonly user: { id: number; is_bot: false; first_name: string; last_name?: string; username?: string; language_code?: string }) {}

  get chatId(): number {
    return this.user.id;
  }

  /** Sends text (a command when it starts with "/"); returns the update, so a test can push it again. */
  async send(text: string): Promise<Update> {
    const command = /^\/\w+/.exec(text);
    return this.message({ text, ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}) });
  }

  /** Sends any message content (photo, sticker, location, contact, …). */
  async message(content: Record<string, unknown>): Promise<Update> {
    const update = {
      update_id: this.telegram.updateId(),
      message: { message_id: this.telegram.messageId(), date: Math.floor(Date.now() / 1000), chat: { id: this.user.id, type: "private", first_name: this.user.first_name }, from: this.user, ...content },
    } as Update;
    await this.telegram.push(update);
    return update;
  }

  /** Presses the button with this label on the newest message that shows it. */
  async press(label: string): Promise<Update> {
    const msg = [...this.telegram.messagesTo(this.user.id)].reverse().find((m) => m.keyboard?.flat().some((b) => b.text === label));
    if (!msg) throw new Error(`no message to chat ${this.user.id} shows a button "${label}"; buttons shown: ${JSON.stringify(this.telegram.messagesTo(this.user.id).flatMap((m) => m.keyboard?.flat().map((b) => b.text) ?? []))}`);
    const button = msg.keyboard!.flat().find((b) => b.text === label) as InlineKeyboardButton.CallbackButton;
    return this.pressData(msg, button.callback_data);
  }

  /** Presses a button with exactly this callback data on a message (also one whose keyboard is gone: a stale client). */
  async pressData(msg: SentMessage, data: string, keyboard = msg.keyboard): Promise<Update> {
    const update = {
      update_id: this.telegram.updateId(),
      callback_query: {
        id: String(this.telegram.updateId() * 1000), from: this.user, chat_instance: `ci${this.user.id}`, data,
        message: { message_id: msg.messageId, date: Math.floor(msg.at / 1000), chat: { id: this.user.id, type: "private", first_name: this.user.first_name }, text: msg.text, ...(keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {}) },
      },
    } as Update;
    await this.telegram.push(update);
    return update;
  }

  /** Texts the bot sent this customer, oldest first. */
  texts(): string[] {
    return this.telegram.messagesTo(this.user.id).map((m) => m.text);
  }

  /** Waits until the bot has sent this customer at least `n` messages. */
  async waitForMessages(n: number, timeoutMs?: number): Promise<string[]> {
    await this.telegram.waitFor(() => `${n} messages to chat ${this.user.id} (have: ${JSON.stringify(this.texts())})`, () => this.texts().length >= n, timeoutMs);
    return this.texts();
  }
}
