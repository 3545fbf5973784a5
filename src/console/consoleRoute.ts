import type { App } from "../app/createApp";
import type { Settings } from "../config";
import type { Logger } from "../core/log";
import type { Route } from "../http/server";
import { ConsoleUsers } from "./auth/ConsoleUsers";
import { ConsoleSessions } from "./auth/sessions";
import { consoleRoutes, type ConsolePage } from "./http/consoleRoutes";
import { contactsPages } from "./pages/contacts";
import { flowsPages } from "./pages/flows";
import { playgroundPages } from "./pages/playground";
import { reportsPages } from "./pages/reports";
import { ticketsPages } from "./pages/tickets";

/** What the console reads from the settings. */
export type ConsoleSettings = Pick<Settings, "flowsDir" | "localesDir" | "consoleUsers">;

/**
 * The browser console on PORT at /console (issue 18): sign-in, flows with their diagrams, the
 * playground, contacts, reports and the ticket queue, all server-rendered from the running app.
 * `extraPages` lets other parts (the web chat's playground) add theirs.
 */
export function consoleRoute(app: App, settings: ConsoleSettings, log: Logger, extraPages: ConsolePage[] = [], options: { passwordCost?: number } = {}): Route {
  const pages: ConsolePage[] = [
    ...flowsPages({ flowsDir: settings.flowsDir, localesDir: settings.localesDir, translator: () => app.translator() }),
    ...playgroundPages(app),
    ...contactsPages(app),
    ...reportsPages(app),
    ...ticketsPages(app),
    ...extraPages,
  ];
  return consoleRoutes({ app, users: new ConsoleUsers(app.db, settings.consoleUsers, options.passwordCost), sessions: new ConsoleSessions(app.db), log, pages });
}
