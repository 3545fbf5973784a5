import { z } from "zod";
import type { MenuEntry } from "../FlowCatalog";
import { ServiceKey } from "../../core/services";
import { registerAction } from "./registry";

/** The menu's commands as the served flows declare them (FlowCatalog.menuEntries). */
export const MENU = new ServiceKey<() => MenuEntry[]>("menu");

/**
 * `menu.commands`: the command list for /help in the customer's language, one `/command - text`
 * per line (common:menu_line), from the same `menu:` keys as the chat app's command menu.
 */
export const menuCommands = registerAction({
  name: "menu.commands",
  description: "Lists the commands flows put in the menu, one '/command - description' per line, in the customer's language.",
  returns: ["list", "count"],
  params: z.object({}).default({}),
  run(_p, ctx) {
    const entries = ctx.services.get(MENU)();
    // common:menu_line sets each language's punctuation ("/start — Главное меню").
    return { list: entries.map((e) => ctx.t("common:menu_line", { command: e.command, description: ctx.t(e.key) })).join("\n"), count: entries.length };
  },
});
