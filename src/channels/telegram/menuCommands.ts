import type { Api } from "grammy";
import type { BotCommand, LanguageCode } from "grammy/types";
import type { Logger } from "../../core/log";

/** The update types Rapport handles; everything else is not even fetched. */
export const ALLOWED_UPDATES = ["message", "callback_query"] as const;

/**
 * Sets the bot's command menu, in each locale's language (Telegram picks by the user's language;
 * "en" is also the default). Best effort: the menu is cosmetic, so a refusal is logged and start
 * goes on. Telegram scopes menus by two-letter language, so zh-CN's list serves all of "zh".
 */
export async function setMenuCommands(api: Api, byLocale: Map<string, BotCommand[]>, log: Logger): Promise<void> {
  const calls: Promise<unknown>[] = [];
  for (const [locale, commands] of byLocale) {
    if (commands.length === 0 || locale === "zh-TW") continue;
    const language = locale.slice(0, 2) as LanguageCode;
    calls.push(api.setMyCommands(commands, locale === "en" ? {} : { language_code: language }));
    if (locale === "en") calls.push(api.setMyCommands(commands, { language_code: "en" as LanguageCode }));
  }
  const results = await Promise.allSettled(calls);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed.length > 0) log.warn("Telegram refused the command menu; the bot works without it", { failed: failed.length, error: failed[0]!.reason as Error });
}
