import { commandMenu } from "../../src/app/commandMenu";
import type { App } from "../../src/app/createApp";

/** What /help says in `locale`: help:text with the menu's commands, as the help flow renders it. */
export function helpText(app: App, locale: string): string {
  const t = app.translator();
  const list = commandMenu(app).get(locale)!.map((c) => t.t(locale, "common:menu_line", { command: c.command, description: c.description })).join("\n");
  return t.t(locale, "help:text", { vars: { commands: { list } } });
}
