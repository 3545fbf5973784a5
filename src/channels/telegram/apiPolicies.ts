import { autoRetry } from "@grammyjs/auto-retry";
import { apiThrottler } from "@grammyjs/transformer-throttler";
import type { Api, Transformer } from "grammy";
import type { Logger } from "../../core/log";
import { overallLimit } from "./overallLimit";

/** Telegram's flood limits as Rapport applies them; tests shorten them. */
export interface TelegramLimits {
  /**
   * Messages one private chat may get back to back before the pace below applies: a turn's few
   * messages (the welcome: greeting, gift, menu) arrive together instead of one a second (issue 12).
   */
  perChatBurst: number;
  /** One more message to a chat is allowed every this many ms, up to the burst (Telegram: about one per second on average). */
  perChatMs: number;
  /** Messages per second over all chats (Telegram: about 30). */
  perSecond: number;
}

/**
 * https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this: "avoid sending
 * more than one message per second" in a chat, on average; "short bursts" are allowed, and a 429
 * (waited out below) says when one went too far.
 */
export const TELEGRAM_LIMITS: TelegramLimits = { perChatBurst: 4, perChatMs: 1000, perSecond: 30 };

/** Methods that put a message in a chat; these are what Telegram's flood limits count. */
const SENDS = new Set(["sendMessage", "sendPhoto", "sendDocument", "sendSticker", "sendVoice", "sendVideo", "sendAudio", "sendLocation", "sendContact", "copyMessage", "forwardMessage"]);

/** Setup calls at start: a flood wait or 5xx is retried a few times; an unreachable server fails start at once, saying so. */
const SETUP = new Set(["getMe", "setWebhook", "deleteWebhook"]);

/** Answers to a button press: stale within seconds, so retried once at most. */
const EPHEMERAL = new Set(["answerCallbackQuery", "editMessageReplyMarkup", "editMessageText"]);

/**
 * Installs how Rapport talks to the Bot API, using grammY's own plugins:
 * - auto-retry: a send that meets a 429 waits `retry_after` and is retried, never dropped; a 5xx or
 *   network error is thrown at once (as a transient TelegramSendError), and the outbox retries it with
 *   backoff for OUTBOX_RETRY_MINUTES, holding only that customer's later messages (issue 13: retrying
 *   inside the send blocked the customer's queue without bound). Setup calls retry a few times, but fail start at once when
 *   the server cannot be reached. Callback answers and keyboard edits give up quickly, since they
 *   are stale in seconds; menu commands are cosmetic and never retried, so a server that refuses
 *   them cannot stall start.
 * - throttler (outermost, so a chat's next message waits behind one that is waiting out a 429):
 *   per chat a token bucket (Bottleneck's reservoir): `perChatBurst` messages at once, then one
 *   more every `perChatMs`, one at a time and in order; then `perSecond` overall in any second
 *   (overallLimit, a sliding window: Bottleneck's reservoir refilled each 1,000 ms let up to 45 through
 *   in a second at its windows' edges). Send methods only, so answering a button press or removing
 *   its keyboard never delays the reply.
 * `limits: false` turns throttling off (the benchmark's fake transport measures the adapter, not Telegram).
 */
export function installApiPolicies(api: Api, log: Logger, limits: TelegramLimits | false): void {
  api.config.use(logFloodWaits(log), logPollingFailures(log));
  api.config.use(only(SENDS, autoRetry({ rethrowInternalServerErrors: true, rethrowHttpErrors: true })));
  api.config.use(only(SETUP, autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: true })));
  api.config.use(only(EPHEMERAL, autoRetry({ maxRetryAttempts: 1, maxDelaySeconds: 5, rethrowHttpErrors: true, rethrowInternalServerErrors: true })));
  if (limits) {
    // Inside the per-chat buckets: a message waiting for its chat's turn holds no overall slot.
    api.config.use(only(SENDS, overallLimit(limits.perSecond)));
    api.config.use(only(SENDS, apiThrottler({ global: {}, out: perChatBucket(limits) })));
  }
}

/**
 * The per-chat group's Bottleneck settings: a reservoir of `perChatBurst` that gains one message
 * every `perChatMs` up to the burst again, and one send at a time, so a chat's messages leave in
 * order and a 429 being waited out (auto-retry, inside) holds back the ones behind it. The
 * reservoir is checked on a heartbeat, a quarter of the interval (250 ms in production). A chat's
 * limiter is dropped after 10 s without sends (Bottleneck.Group's `timeout`; its bucket is full again
 * by then), so memory and heartbeat timers follow the chats being written to, not all chats ever.
 */
function perChatBucket(limits: TelegramLimits) {
  const burst = Math.max(1, Math.floor(limits.perChatBurst));
  return {
    maxConcurrent: 1,
    reservoir: burst,
    reservoirIncreaseAmount: 1,
    reservoirIncreaseInterval: limits.perChatMs,
    reservoirIncreaseMaximum: burst,
    heartbeatInterval: Math.min(250, Math.max(5, Math.floor(limits.perChatMs / 4))),
    timeout: Math.max(10_000, 2 * burst * limits.perChatMs),
  };
}

/** Applies a transformer to some methods only; the others go straight through. */
function only(methods: Set<string>, transformer: Transformer): Transformer {
  return (prev, method, payload, signal) => (methods.has(method) ? transformer(prev, method, payload, signal) : prev(method, payload, signal));
}

/** Innermost: logs each flood wait Telegram asks for, so operators see 429s the plugin absorbs. */
function logFloodWaits(log: Logger): Transformer {
  return async (prev, method, payload, signal) => {
    const result = await prev(method, payload, signal);
    if (!result.ok && result.parameters?.retry_after !== undefined) {
      log.warn("Telegram asked to slow down; retrying after the wait it gave", { method, retryAfterSeconds: result.parameters.retry_after });
    }
    return result;
  };
}

/**
 * The runner retries a failed `getUpdates` on its own and would print to stderr; it runs silent and
 * this logs the failure instead, as a JSON line like every other (a 409 means another process polls).
 */
function logPollingFailures(log: Logger): Transformer {
  return async (prev, method, payload, signal) => {
    if (method !== "getUpdates") return prev(method, payload, signal);
    try {
      const result = await prev(method, payload, signal);
      if (!result.ok) log.warn("Telegram refused getUpdates; the runner retries", { errorCode: result.error_code, description: result.description });
      return result;
    } catch (error) {
      if (!signal?.aborted) log.warn("could not reach Telegram for updates; the runner retries", { error: error as Error });
      throw error;
    }
  };
}
