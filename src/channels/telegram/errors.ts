import { GrammyError, HttpError } from "grammy";
import { ConfigError, RapportError, RecipientUnreachableError } from "../../core/errors";

/** Telegram refused or could not be reached for a setup call (getMe, setWebhook, deleteWebhook). */
export class TelegramSetupError extends RapportError {
  readonly code = "rapport_telegram_setup";
  constructor(readonly step: string, problem: string, hint: string, options?: { cause?: unknown }) {
    super(`Telegram ${step} failed: ${problem}\n  hint: ${hint}`, options);
  }
}

/** A message could not be sent for a reason other than the customer blocking the bot. */
export class TelegramSendError extends RapportError {
  readonly code = "rapport_telegram_send_failed";
  /** Telegram or the network failed (5xx, 429, no answer), not this message: the outbox retries it later. */
  readonly transient: boolean;
  constructor(readonly chatId: string, problem: string, options?: { cause?: unknown; transient?: boolean }) {
    super(`Telegram sendMessage to chat ${chatId} failed: ${problem}`, options);
    this.transient = options?.transient ?? false;
  }
}

/**
 * Translates a failed send: 403 (blocked by the user, account deleted) means the customer cannot be
 * reached, which the engine records once and does not retry; anything else keeps Telegram's words.
 */
export function sendFailure(chatId: string, error: unknown): Error {
  if (error instanceof GrammyError && error.error_code === 403) return new RecipientUnreachableError("telegram", error.description, { cause: error });
  if (error instanceof GrammyError) return new TelegramSendError(chatId, `${error.error_code} ${error.description}`, { cause: error, transient: error.error_code >= 500 || error.error_code === 429 });
  // HttpError (network, timeout) and anything else that did not come from Telegram's answer.
  return new TelegramSendError(chatId, (error as Error)?.message ?? String(error), { cause: error, transient: true });
}

/** Translates a failed setup call into an error that says which setting to look at. */
export function setupFailure(step: string, apiRoot: string, error: unknown): Error {
  if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404) && step === "getMe") {
    return new ConfigError("TELEGRAM_BOT_TOKEN", `Telegram rejected the token (${error.error_code} ${error.description})`, "copy the token BotFather gave you (https://t.me/BotFather), e.g. 123456:ABC-DEF…");
  }
  if (error instanceof GrammyError) {
    const hint = step === "setWebhook" ? "check TELEGRAM_WEBHOOK_URL: Telegram needs a public https:// address on port 443, 80, 88 or 8443" : "see Telegram's description above";
    return new TelegramSetupError(step, `${error.error_code} ${error.description}`, hint, { cause: error });
  }
  if (error instanceof HttpError) return new TelegramSetupError(step, `could not reach ${apiRoot} (${error.message})`, "check the network, or TELEGRAM_API_ROOT if you use your own Bot API server", { cause: error });
  return error as Error;
}
