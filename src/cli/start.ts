import { createApp } from "../app/createApp";
import type { Settings } from "../config";
import type { Logger } from "../core/log";
import { HttpServer } from "../http/server";
import { cachedProbe } from "../http/readiness";
import { lazyRoute } from "../http/lazyRoute";
import { stopWithin } from "./stopWithin";
import { apiRoutes } from "../http/api/apiRoutes";
import { runChat } from "./chat";
import { ConfigError } from "../core/errors";
import { commandMenu } from "../app/commandMenu";
import { REFERRALS } from "../referrals/Referrals";
import { boundOldGeneration, collectStartupGarbage, holdYoungGeneration, releaseYoungGeneration } from "../core/startupHeap";

/** How long /readyz waits for the database, and how long an answer is reused (load balancers poll often). */
const READINESS_TIMEOUT_MS = 2_000;
const READINESS_CACHE_MS = 2_000;

/**
 * `rapport start` (what `npm start` runs): migrates the database, loads flows, serves HTTP on PORT
 * (`GET /healthz` answers 200 once started, `GET /readyz` while the database answers too, `GET /metrics`
 * with METRICS_TOKEN) and every
 * channel whose settings are present. SIGTERM/SIGINT stop it within SHUTDOWN_TIMEOUT_SECONDS. With no
 * channel configured and a terminal attached it opens a terminal chat as well.
 */
export async function runStart(settings: Settings, log: Logger, options: { logFile?: string } = {}): Promise<void> {
  holdYoungGeneration(); // until ready: what starting allocates must not size the heap for good (the command held it already)
  // The terminal chat (no Telegram token, a terminal attached) serves the valid flows and names the
  // broken ones; with a customer channel a broken flow still stops start.
  const terminalChat = !settings.telegramBotToken && Boolean(process.stdin.isTTY);
  const app = await createApp({ settings, log, partialFlows: terminalChat });
  const http = new HttpServer(log);
  // Channel libraries (grammY, Bolt) load only when their settings are present.
  const telegram = settings.telegramBotToken
    ? (await import("../channels/telegram/fromSettings")).telegramChannelFromSettings(settings, log, () => commandMenu(app), () => app.db.ping(2000)) : undefined;
  if (telegram) app.engine.attach(telegram);
  if (telegram && settings.telegramWebhookUrl) http.use(telegram.webhookRoute());
  const slack = settings.slackBotToken ? (await import("../channels/slack/fromSettings")).slackSupportFromSettings(settings, log) : undefined;
  if (slack && !settings.slackAppToken) http.use(slack.route());
  http.use(apiRoutes(app, settings.apiKeys, log));
  // Prometheus metrics only with METRICS_TOKEN: prom-client is not even loaded otherwise.
  if (settings.metricsToken) {
    const [{ createMetrics, messageOutbox, ticketOutbox }, { metricsRoute }, { installTelemetry }] = await Promise.all([
      import("../metrics/prometheus"), import("../http/metricsRoute"), import("../core/telemetry")]);
    const metrics = createMetrics(app.db);
    metrics.addOutbox(messageOutbox(app.db));
    metrics.addOutbox(ticketOutbox(app.db));
    installTelemetry(metrics.telemetry);
    http.use(metricsRoute(metrics, settings.metricsToken));
  }
  // The web chat (a widget on any site) and the console whose playground is that widget.
  const webchat = settings.webchatEnabled ? await (await import("../channels/webchat/fromSettings")).webchatFromSettings(app, settings, log) : undefined;
  if (webchat) http.use(webchat.route);
  // The console's code (pages, diagram layout, password hashing) loads with its first request.
  http.use(lazyRoute("/console", async () => (await import("../console/consoleRoute")).consoleRoute(app, settings, log)));
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
  if (webchat) channels.push("webchat");
  app.sweeper.start();
  app.support.outbox.start();
  app.engine.outbox.start(); // what a crash left unsent goes out now
  app.jobs.start(); // overdue work (due while the process was down) runs now, once
  await app.campaigns.start(); // campaigns sent with `rapport campaigns send` go out from here, paced
  // No customer channel configured: a terminal chat to try the flows (and, with Slack, the handoff).
  if (terminalChat) channels.push("terminal");
  http.setReadinessProbe(cachedProbe(() => app.db.ping(READINESS_TIMEOUT_MS), READINESS_CACHE_MS));
  collectStartupGarbage(); // before readiness: what starting left behind, freed and its pages given back
  http.markReady();
  releaseYoungGeneration(settings.youngGenerationMb); // grows with traffic again, up to YOUNG_GENERATION_MB a half
  boundOldGeneration();
  log.info("rapport ready", { port, database: app.db.dialect, channels });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    const budgetMs = settings.shutdownTimeoutSeconds * 1000;
    // Closing the database flushes what is queued; it keeps a share of the budget whatever HTTP clients do.
    const databaseShareMs = Math.min(2_000, budgetMs / 4);
    await stopWithin(budgetMs, log, [
      { name: "http intake", run: () => http.stopAccepting() }, // readiness says stopping; half-sent requests are cut
      { name: "telegram", run: () => telegram?.stop() }, // no new updates; those in flight finish
      { name: "slack", run: () => slack?.stop() },
      { name: "webchat", run: () => webchat?.channel.stop() }, // ends the widgets' streams; browsers reconnect
      { name: "http", run: (left) => http.close(Math.max(0, left - databaseShareMs)) },
      { name: "database", run: () => app.close() },
    ]);
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
