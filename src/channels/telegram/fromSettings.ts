import { createHmac } from "node:crypto";
import type { Settings } from "../../config";
import type { Logger } from "../../core/log";
import { TelegramChannel, type TelegramChannelOptions } from "./TelegramChannel";
import { TELEGRAM_LIMITS } from "./apiPolicies";

/**
 * Builds the Telegram channel from TELEGRAM_* settings, or undefined when no token is set. With a
 * webhook URL but no TELEGRAM_WEBHOOK_SECRET, the secret is derived from the token: every instance
 * of one deployment derives the same one, and a webhook is never served without a secret.
 * `storeReady` (the database's ping) tells polling when to fetch again after a store failed.
 */
export function telegramChannelFromSettings(settings: Settings, log: Logger, commands?: TelegramChannelOptions["commands"], storeReady?: () => Promise<boolean>): TelegramChannel | undefined {
  const token = settings.telegramBotToken;
  if (!token) return undefined;
  const url = settings.telegramWebhookUrl;
  return new TelegramChannel({
    token,
    log,
    apiRoot: settings.telegramApiRoot,
    commands,
    polling: { storeReady },
    limits: { ...TELEGRAM_LIMITS, perSecond: settings.telegramMessagesPerSecond ?? TELEGRAM_LIMITS.perSecond },
    webhook: url ? { url, secret: settings.telegramWebhookSecret ?? derivedSecret(token) } : undefined,
  });
}

/** A webhook secret from the bot token: stable across restarts and instances, useless without the token. */
function derivedSecret(token: string): string {
  return createHmac("sha256", "rapport telegram webhook secret").update(token).digest("hex");
}
