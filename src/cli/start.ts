import { createApp } from "../app/createApp";
import type { Settings } from "../config";
import type { Logger } from "../core/log";
import { HttpServer } from "../http/server";
import { apiRoutes } from "../http/api/apiRoutes";
import { runChat } from "./chat";
import { ConfigError } from "../core/errors";
import { commandMenu } from "../app/commandMenu";
import { REFERRALS } from "../referrals/Referrals";

/**
 * `rapport start` (what `npm start` runs): migrates the database, loads flows, serves HTTP on PORT
 * (`GET /healthz` answers 200 once ready) and every channel whose settings are present. With no
 * channel configured and a terminal attached it opens a terminal chat as well.
 */
export async function runStart(settings: Settings, log: Logger, options: { logFile?: string } = {}): Promise<void> {
  const app = await createApp({ settings, log });
  const http = new HttpServer(log);
  // Channel libraries (grammY, Bolt) load only when their settings are present.
  const telegram = settings.telegramBotToken
    ? (await import("../channels/telegram/fromSettings")).telegramChannelFromSettings(settings, log, () => commandMenu(app)) : undefined;
  if (telegram) app.engine.attach(telegram);
  if (telegram && settings.telegramWebhookUrl) http.use(telegram.webhookRoute());
  const slack = settings.slackBotToken ? (await import("../channels/slack/fromSettings")).slackSupportFromSettings(settings, log) : undefined;
  if (slack && !settings.slackAppToken) http.use(slack.route());
  http.use(apiRoutes(app, settings.rapportApiKey, log));
  let port: number;
  try {
    port = await http.listen(settings.port, settings.host);
  } catch (error) {
    await app.close(); // otherwise the open database and file watchers keep the process alive
    const code = (error as { code?: string }).code;
    if (code === "EADDRINUSE") throw new ConfigError("PORT", `port ${settings.port} is already in use`, "stop the other process or set PORT to a free port");
    throw error;
  }
  const channels: string[] = [];
  // Staff first: a customer who asks for a person as soon as Telegram is up finds support online.
  if (slack) {
    try {
      await slack.start(app.support);
    } catch (error) {
      await http.close();
      await app.close();
      throw error;
    }
    app.support.attachStaff(slack);
  }
  if (telegram) {
    try {
      await telegram.start(app.engine.deliver);
    } catch (error) {
      await slack?.stop();
      await http.close();
      await app.close();
      throw error;
    }
    channels.push(settings.telegramWebhookUrl ? "telegram (webhook)" : "telegram (polling)");
    app.services.get(REFERRALS).setTelegramBot(telegram.username); // referral links: https://t.me/<bot>?start=ref-…
  }
  if (slack) channels.push(settings.slackAppToken ? "slack (socket mode)" : "slack (http)");
  app.sweeper.start();
  app.support.outbox.start();
  app.jobs.start(); // overdue work (due while the process was down) runs now, once
  // No customer channel configured: a terminal chat to try the flows (and, with Slack, the handoff).
  const terminalChat = !telegram && Boolean(process.stdin.isTTY);
  if (terminalChat) channels.push("terminal");
  http.markReady();
  log.info("rapport ready", { port, database: app.db.dialect, channels });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    await telegram?.stop(); // no new updates; those in flight finish (webhook requests meanwhile get 503)
    await slack?.stop();
    await http.close();
    await app.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));

  if (terminalChat) {
    process.stdout.write(`Rapport is running on http://localhost:${port} (GET /healthz). No Telegram token is set, so here is a terminal chat.${options.logFile ? ` Logs go to ${options.logFile}.` : ""}\n`);
    await runChat(app, { user: "local", input: process.stdin, output: process.stdout });
    await stop("end of terminal input");
  }
}
