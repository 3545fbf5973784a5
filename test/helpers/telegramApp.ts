import { join } from "node:path";
import { afterEach } from "vitest";
import { commandMenu } from "../../src/app/commandMenu";
import { createApp, type App } from "../../src/app/createApp";
import type { TelegramLimits } from "../../src/channels/telegram/apiPolicies";
import { TelegramChannel } from "../../src/channels/telegram/TelegramChannel";
import { createLogger } from "../../src/core/log";
import { timeline, type TimelineEntry } from "../../src/history/timeline";
import { HttpServer } from "../../src/http/server";
import { dropDatabase, freshDatabaseUrl } from "./database";
import { FakeTelegram } from "./fakeTelegram";
import { ROOT } from "./testApp";

/** Telegram's real limits make tests slow; these keep the throttle on, just shorter. */
export const FAST_LIMITS: TelegramLimits = { perChatBurst: 4, perChatMs: 20, perSecond: 1000 };

/** A running Rapport with the Telegram channel talking to a FakeTelegram, over HTTP on loopback. */
export interface TelegramTestApp {
  telegram: FakeTelegram;
  channel: TelegramChannel;
  app: App;
  /** Every log line, parsed (the channel logs refusals and retries). */
  logs: { level: string; msg: string; [k: string]: unknown }[];
  /** The webhook URL when started in webhook mode. */
  webhookUrl?: string;
  contact(userId: number): Promise<{ id: string; locale: string; displayName: string | null; username: string | null; unreachable: boolean } | null>;
  history(userId: number): Promise<TimelineEntry[]>;
  /** Stops the channel (as SIGTERM does), then the HTTP server and the app. */
  close(): Promise<void>;
}

/** Options: polling (default) or webhook mode, the secret, flood limits. */
export interface TelegramAppOptions {
  mode?: "polling" | "webhook";
  secret?: string;
  limits?: TelegramLimits;
  /** Prepare the emulator before the bot starts (e.g. make setMyCommands fail). */
  before?: (telegram: FakeTelegram) => void;
  /** Connect through this URL instead of the fresh database's (a TcpProxy in front of it); the fresh one is still made and dropped. */
  databaseUrl?: (fresh: string) => string;
  /** DB_RETRY_SECONDS (default 2). */
  dbRetrySeconds?: number;
  /** Polling's waits after a store failure (the database's ping is always the readiness check). */
  polling?: { pauseMs?: number; recheckMs?: number };
  /** Runs when the HTTP server listens (the webhook route is served) but the channel has not started yet. */
  beforeStart?: (t: { telegram: FakeTelegram; webhookUrl?: string; app: App }) => Promise<void>;
}

/** Starts the emulator, a fresh database, the app with shipped flows, and the Telegram channel. */
export async function startTelegramApp(options: TelegramAppOptions = {}): Promise<TelegramTestApp> {
  const telegram = await FakeTelegram.start();
  options.before?.(telegram);
  const url = await freshDatabaseUrl();
  const logs: TelegramTestApp["logs"] = [];
  const log = createLogger("debug", (line) => logs.push(JSON.parse(line)));
  const app = await createApp({ settings: { databaseUrl: options.databaseUrl?.(url) ?? url, flowsDir: join(ROOT, "flows"), localesDir: join(ROOT, "locales"), hotReload: false, dbRetrySeconds: options.dbRetrySeconds ?? 2 }, log });
  const http = new HttpServer(log);
  const port = await http.listen(0, "127.0.0.1");
  const webhookUrl = options.mode === "webhook" ? `http://127.0.0.1:${port}/telegram/webhook` : undefined;
  const channel = new TelegramChannel({
    token: telegram.token, log, apiRoot: telegram.apiRoot, limits: options.limits ?? FAST_LIMITS, commands: () => commandMenu(app),
    webhook: webhookUrl ? { url: webhookUrl, secret: options.secret ?? "test-secret" } : undefined, shutdownGraceMs: 2000,
    polling: { ...options.polling, storeReady: () => app.db.ping(500) },
  });
  if (webhookUrl) http.use(channel.webhookRoute());
  app.engine.attach(channel);
  await options.beforeStart?.({ telegram, webhookUrl, app });
  await channel.start(app.engine.deliver);
  let closed = false;
  const identity = (userId: number) => app.db.prisma.channelIdentity.findUnique({ where: { channel_externalId: { channel: "telegram", externalId: String(userId) } } });
  return {
    telegram, channel, app, logs, webhookUrl,
    async contact(userId) {
      const id = await identity(userId);
      return id ? app.db.prisma.contact.findUnique({ where: { id: id.contactId } }) : null;
    },
    async history(userId) {
      const id = await identity(userId);
      return id ? timeline(app.db, id.contactId) : [];
    },
    async close() {
      if (closed) return;
      closed = true;
      await channel.stop();
      await http.close();
      await app.close();
      await telegram.close();
      await dropDatabase(url);
    },
  };
}

/** Starts Telegram test apps that are closed after each test of the file. */
export function useTelegramApps(): (options?: TelegramAppOptions) => Promise<TelegramTestApp> {
  const open: TelegramTestApp[] = [];
  afterEach(async () => { for (const a of open.splice(0)) await a.close(); });
  return async (options) => { const t = await startTelegramApp(options); open.push(t); return t; };
}
