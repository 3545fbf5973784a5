import { SUPPORTED_LOCALES } from "../i18n/locales";
import type { App } from "./createApp";

/** One entry of a chat app's command menu. */
export interface MenuCommand {
  command: string;
  description: string;
}

/**
 * The command menu per locale: every command a flow answers that has a description under
 * `common:commands.<command>` in that locale. A flow's command without a description still works
 * when typed; it is just not advertised.
 */
export function commandMenu(app: Pick<App, "catalog" | "translator">): Map<string, MenuCommand[]> {
  const translator = app.translator();
  const names = app.catalog.commandNames().filter((c) => /^[a-z0-9_]{1,32}$/.test(c));
  const menu = new Map<string, MenuCommand[]>();
  for (const locale of SUPPORTED_LOCALES) {
    menu.set(locale, names.filter((c) => translator.has(locale, `common:commands.${c}`)).map((c) => ({ command: c, description: translator.t(locale, `common:commands.${c}`) })));
  }
  return menu;
}
