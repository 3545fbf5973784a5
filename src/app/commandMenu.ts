import { SUPPORTED_LOCALES } from "../i18n/locales";
import type { App } from "./createApp";

/** One entry of a chat app's command menu. */
export interface MenuCommand {
  command: string;
  description: string;
}

/**
 * The command menu per locale, from the flows: every command trigger with `menu: <key>`, described
 * by that key's text in the locale, in menu order. Telegram's setMyCommands and /help (the
 * `menu.commands` action) both use it, so they cannot disagree.
 */
export function commandMenu(app: Pick<App, "catalog" | "translator">): Map<string, MenuCommand[]> {
  const translator = app.translator();
  const entries = app.catalog.menuEntries().filter((e) => /^[a-z0-9_]{1,32}$/.test(e.command));
  const menu = new Map<string, MenuCommand[]>();
  for (const locale of SUPPORTED_LOCALES) {
    menu.set(locale, entries.filter((e) => translator.has(locale, e.key)).map((e) => ({ command: e.command, description: translator.t(locale, e.key) })));
  }
  return menu;
}
