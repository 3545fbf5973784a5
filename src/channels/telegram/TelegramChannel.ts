import type { IncomingMessage, ServerResponse } from "node:http";
import { createConcurrentSink, createRunner, createSource, type RunnerHandle } from "@grammyjs/runner";
import { Bot, BotError, Context, webhookCallback, type Transformer } from "grammy";
import type { BotCommand, Update, UserFromGetMe } from "grammy/types";
import type { Channel, Deliver, MediaFile } from "../../core/Channel";
import type { Logger } from "../../core/log";
import type { Address, OutboundMessage } from "../../core/message";
import type { Route } from "../../http/server";
import { sendJson } from "../../http/server";
import { installApiPolicies, TELEGRAM_LIMITS, type TelegramLimits } from "./apiPolicies";
import { PressedKeyboards } from "./PressedKeyboards";
import { sendFailure, setupFailure } from "./errors";
import { NO_KEYBOARD } from "./keyboards";
import { toInbound } from "./toInbound";
import { toSendCalls } from "./toSendCalls";
import { downloadFile } from "./downloadFile";
import { limitedHttpAdapter, WebhookPayloadError } from "./webhookAdapter";
import { ALLOWED_UPDATES, setMenuCommands } from "./menuCommands";
import { StoredOffset, type StoredOffsetOptions } from "./StoredOffset";
import { BULK } from "./overallLimit";
import { isNotStored, StoreOrder } from "../../core/StoreOrder";

/** How the Telegram channel connects; everything but the token has a production default. */
export interface TelegramChannelOptions {
  token: string;
  log: Logger;
  /** Another Bot API server (TELEGRAM_API_ROOT). */
  apiRoot?: string;
  /** Serve updates by webhook at this URL instead of long polling (TELEGRAM_WEBHOOK_URL / _SECRET). */
  webhook?: { url: string; secret: string };
  /** The bot menu, per locale ("en" is also the default for languages without their own list). */
  commands?: () => Map<string, BotCommand[]>;
  /** Flood limits; tests shorten them, the benchmark's fake transport turns them off. */
  limits?: TelegramLimits | false;
  /** Known bot identity: skips getMe (benchmark). */
  botInfo?: UserFromGetMe;
  /** Innermost API transformer standing in for HTTP (benchmark). */
  transport?: Transformer;
  /** How long shutdown waits for sends in flight before aborting them (default 10 s). */
  shutdownGraceMs?: number;
  /**
   * Polling: whether the database takes writes again after an update could not be stored (the
   * app passes its ping); fetching resumes when it says yes. Tests shorten the waits.
   */
  polling?: Pick<StoredOffsetOptions, "storeReady" | "pauseMs" | "recheckMs">;
}

const DEFAULT_API_ROOT = "https://api.telegram.org";

/**
 * Customers' Telegram chats, on grammY. It translates, it does not decide: updates become core
 * events (toInbound), replies become sendMessage calls (toSendCalls), and the engine does the rest.
 * Long polling uses grammY's runner (concurrent; each customer's messages stay in order in the
 * engine's queue) with an update supplier that confirms to Telegram only what is stored
 * (StoredOffset); a webhook is served on the app's HTTP server through grammY's webhookCallback with
 * the secret-token check, and answers 500 for what could not be stored. Nothing confirmed is
 * unstored (issue 13). See apiPolicies for retries and flood limits.
 */
export class TelegramChannel implements Channel {
  readonly name = "telegram";
  readonly bot: DirectBot;
  private deliver: Deliver | undefined;
  private runner: RunnerHandle | undefined;
  private intake: StoredOffset | undefined;
  private readonly order = new StoreOrder();
  private readonly pressed = new PressedKeyboards();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly shutdown = new AbortController();
  private stopping = false;
  private readonly apiRoot: string;

  constructor(private readonly options: TelegramChannelOptions) {
    this.apiRoot = options.apiRoot ?? DEFAULT_API_ROOT;
    // Every update is tracked, so stop() waits for all the runner handed over (its own stop() does not).
    this.bot = new DirectBot(options.token, { client: { apiRoot: this.apiRoot }, botInfo: options.botInfo }, (update) => this.track(this.onUpdate(update)));
    if (options.transport) this.bot.api.config.use(options.transport);
    installApiPolicies(this.bot.api, options.log, options.limits ?? TELEGRAM_LIMITS);
    this.bot.catch((err) => {
      if (isNotStored(err.error)) options.log.warn("Telegram update not stored; it stays unconfirmed and is taken again when the database is back", { updateId: err.ctx.update.update_id, error: err.error as Error });
      else options.log.error("Telegram update failed", { updateId: err.ctx.update.update_id, error: err.error as Error });
    });
  }

  /** The bot's @username once started (deep links: https://t.me/<username>?start=ref-…). */
  get username(): string | undefined {
    return this.bot.isInited() ? this.bot.botInfo.username : undefined;
  }

  /** Connects: checks the token (getMe), sets the menu (best effort), then polls or registers the webhook. */
  async start(deliver: Deliver): Promise<void> {
    this.deliver = deliver;
    await this.setup("getMe", () => this.bot.init());
    this.track(setMenuCommands(this.bot.api, this.options.commands?.() ?? new Map(), this.options.log));
    if (this.options.webhook) {
      const { url, secret } = this.options.webhook;
      await this.setup("setWebhook", () => this.bot.api.setWebhook(url, { secret_token: secret, allowed_updates: ALLOWED_UPDATES }));
      this.options.log.info("Telegram webhook registered", { bot: this.bot.botInfo.username, path: new URL(url).pathname });
      return;
    }
    // A webhook left set by an earlier deployment would make getUpdates fail with 409.
    await this.setup("deleteWebhook", () => this.bot.api.deleteWebhook());
    // grammY's runner with its own source and sink, but an update supplier that confirms only what is stored (StoredOffset).
    this.intake = new StoredOffset(this.bot.api, { log: this.options.log, allowedUpdates: ALLOWED_UPDATES, ...this.options.polling });
    const sink = createConcurrentSink<Update, BotError>({ consume: (update) => this.bot.handleUpdate(update) }, async (error) => { await this.bot.errorHandler(error); });
    this.runner = createRunner(createSource(this.intake), sink);
    this.runner.start();
    void this.runner.task()?.catch((error: unknown) => this.options.log.error("Telegram long polling stopped", { error: error as Error }));
    this.options.log.info("Telegram long polling started", { bot: this.bot.botInfo.username });
  }

  /** Stops taking updates (polling stops; webhook requests get 503 and are redelivered), finishes those in flight, confirms what was stored. */
  async stop(): Promise<void> {
    this.stopping = true;
    const abortLater = setTimeout(() => this.shutdown.abort(), this.options.shutdownGraceMs ?? 10_000);
    try {
      if (this.runner) await this.runner.stop(); // no more getUpdates
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      await this.intake?.confirm(); // what was stored meanwhile is not delivered again after a restart
    } finally {
      clearTimeout(abortLater);
    }
  }

  async send(to: Address, message: OutboundMessage): Promise<{ externalMessageId?: string }> {
    let last: number | undefined;
    for (const call of toSendCalls(to.externalChatId, message)) {
      const { text, ...rest } = call;
      // A campaign message waits behind replies in the overall limit (overallLimit), which removes the mark.
      const other = message.bulk ? { ...rest, [BULK]: true } : rest;
      try {
        last = (await this.bot.api.sendMessage(to.externalChatId, text, other, this.shutdown.signal as never)).message_id; // grammY types its signal with the abort-controller shim
      } catch (error) {
        throw sendFailure(to.externalChatId, error);
      }
    }
    return { externalMessageId: last === undefined ? undefined : String(last) };
  }

  /** Fetches a file a customer sent (for support staff), up to the Bot API's 20 MB. */
  downloadFile(fileId: string): Promise<MediaFile> {
    return downloadFile(this.bot.api, this.apiRoot, this.options.token, fileId);
  }

  /** Feeds one update through the middleware, as polling or a webhook would (tests, benchmark). */
  handleUpdate(update: Update): Promise<void> {
    return this.bot.handleUpdate(update);
  }

  /**
   * The webhook endpoint for the app's HTTP server (at the path of TELEGRAM_WEBHOOK_URL). A wrong
   * secret is answered 401 before the body is read, and nothing is stored; a body that is not an
   * update gets 400/413; a failure to store gets 500, so Telegram delivers the update again.
   */
  webhookRoute(): Route {
    const webhook = this.options.webhook;
    if (!webhook) throw new Error("webhookRoute() needs the webhook option");
    const path = new URL(webhook.url).pathname;
    const log = this.options.log;
    const callback = webhookCallback(this.bot, (req: IncomingMessage, res: ServerResponse) => limitedHttpAdapter(req, res, () => log.warn("Telegram webhook request refused: wrong secret token", { remote: req.socket.remoteAddress })), {
      secretToken: webhook.secret,
      // Past this, answer 500 so Telegram retries; the redelivery is recognised as a duplicate.
      timeoutMilliseconds: 55_000,
      onTimeout: "throw",
    });
    return async (req, res) => {
      if (req.url?.split("?")[0] !== path) return false;
      if (req.method !== "POST") {
        sendJson(res, 405, { error: "method_not_allowed", message: "Telegram posts updates here" });
        return true;
      }
      if (this.stopping) {
        sendJson(res, 503, { error: "stopping", message: "shutting down; Telegram will deliver this update again" });
        return true;
      }
      if (!this.deliver) {
        // The HTTP server listens before the channels start (Slack's checks can take seconds): an update
        // posted meanwhile had nowhere to go and was acknowledged as ignored, so Telegram dropped it
        // (found by bench/faults after a restart, issue 13). Not started yet: Telegram delivers it again.
        sendJson(res, 503, { error: "starting", message: "starting; Telegram will deliver this update again" });
        return true;
      }
      await this.track((async () => {
        try {
          await callback(req, res);
        } catch (error) {
          if (res.headersSent) return;
          if (error instanceof WebhookPayloadError) {
            log.warn("Telegram webhook request refused", { status: error.status, error });
            sendJson(res, error.status, { error: "bad_update", message: error.message });
          } else {
            log.error("Telegram update failed; answering 500 so Telegram delivers it again", { error: (error as { error?: Error }).error ?? (error as Error) });
            sendJson(res, 500, { error: "internal", message: "the update was not stored; Telegram will deliver it again" });
          }
        }
      })());
      return true;
    };
  }

  /** One update, and what polling may confirm after it: stored (or nothing to store), or to be taken again. */
  private async onUpdate(update: Update): Promise<void> {
    const id = update.update_id;
    try {
      await this.take(update);
      this.intake?.settled(id);
    } catch (error) {
      if (isNotStored(error)) this.intake?.notStored(id);
      else this.intake?.settled(id); // failed for good (logged): taking it again would fail again
      throw error;
    }
  }

  /**
   * Translate, stop a press's spinner and remove its keyboard, deliver. Per customer, `deliver` is
   * called in the order the runner or the webhook handed updates over, each once the one before is
   * stored (StoreOrder): that keeps a customer's messages in order, also when the database was away.
   */
  private async take(update: Update): Promise<void> {
    const event = toInbound(update, this.bot.botInfo);
    if (!event || !this.deliver) {
      this.options.log.debug("Telegram update ignored", { updateId: update.update_id });
      return;
    }
    const api = this.bot.api;
    const press = update.callback_query;
    const keyboard = press?.message && press.message.date !== 0 ? { chatId: press.message.chat.id, messageId: press.message.message_id } : undefined;
    if (press) {
      // Stop the button's spinner and take the keyboard away at once, so a question is answered once.
      this.track(api.answerCallbackQuery(press.id).catch((e: unknown) => this.options.log.debug("answerCallbackQuery failed", { error: e as Error })));
      if (keyboard) {
        if (!this.pressed.add(keyboard.chatId, keyboard.messageId)) {
          this.options.log.debug("second press on an answered keyboard ignored", { updateId: update.update_id });
          return;
        }
        this.track(api.editMessageReplyMarkup(keyboard.chatId, keyboard.messageId, { reply_markup: NO_KEYBOARD })
          .catch((e: unknown) => this.options.log.debug("removing an answered keyboard failed", { error: e as Error })));
      }
    }
    const deliver = this.deliver;
    try {
      await this.order.run(event.sender.externalUserId, (receipt) => deliver(event, { stored: () => {
        receipt.stored();
        this.intake?.settled(update.update_id);
      } }));
    } catch (error) {
      if (keyboard) this.pressed.delete(keyboard.chatId, keyboard.messageId); // a redelivery may try again
      throw error;
    }
  }

  private async setup<T>(step: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw setupFailure(step, this.apiRoot, error);
    }
  }

  /** Keeps a promise in the set shutdown waits for. */
  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => {});
    return promise;
  }
}

/**
 * grammY's Bot with its per-update pipeline (a new Api with every transformer re-installed, a
 * Context and the middleware run) replaced by one direct handler. Rapport's channel has a single
 * handler and the engine orders each customer's messages itself, so the pipeline only cost time:
 * about 9 µs per update, a fifth of the engine's own cost per message (bench/README.md). Polling
 * (runner), webhookCallback, the API client and its plugins are grammY's as they are; errors still
 * reach `bot.catch` as a BotError, as the runner expects.
 */
class DirectBot extends Bot {
  constructor(token: string, config: ConstructorParameters<typeof Bot>[1], private readonly handle: (update: Update) => Promise<void>) {
    super(token, config);
  }

  override async handleUpdate(update: Update): Promise<void> {
    try {
      await this.handle(update);
    } catch (error) {
      throw new BotError(error, new Context(update, this.api, this.botInfo));
    }
  }
}
