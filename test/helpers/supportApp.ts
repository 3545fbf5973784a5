import { join } from "node:path";
import { afterEach } from "vitest";
import { createApp, type App } from "../../src/app/createApp";
import { SlackSupport, SLACK_EVENTS_PATH } from "../../src/channels/slack/SlackSupport";
import { TelegramChannel } from "../../src/channels/telegram/TelegramChannel";
import { createLogger } from "../../src/core/log";
import { timeline, type TimelineEntry } from "../../src/history/timeline";
import { HttpServer } from "../../src/http/server";
import type { SupportDeskOptions } from "../../src/support/SupportDesk";
import { dropDatabase, freshDatabaseUrl } from "./database";
import { FakeSlack, postToSlackApp } from "./fakeSlack";
import { FakeTelegram } from "./fakeTelegram";
import { FAST_LIMITS } from "./telegramApp";
import { ROOT } from "./testApp";

/** The support channel's id in these tests, and its members (staff). */
export const SUPPORT_CHANNEL = "CSUPPORT";
export const STAFF = ["UANNA", "UBORIS"];
export const SIGNING_SECRET = "test-signing-secret";

/** Rapport with Telegram (customers) on a FakeTelegram and Slack (staff) on a FakeSlack, over loopback HTTP. */
export interface SupportTestApp {
  telegram: FakeTelegram;
  /** Undefined when started with `slack: false` (no Slack configured). */
  slack?: FakeSlack;
  app: App;
  /** The Slack channel (undefined without Slack). */
  staff?: SlackSupport;
  logs: { level: string; msg: string; [k: string]: unknown }[];
  /** Where Slack posts events and interactions (Bolt's HTTP receiver on Rapport's server). */
  eventsUrl: string;
  /** `emit` calls the support desk made (ticket.resolved, …). */
  emitted: { contactId: string; name: string; data: Record<string, unknown> }[];
  /** Posts a signed request to the Bolt app, as Slack would. */
  post(body: { json: unknown } | { form: Record<string, string> }, options?: Parameters<typeof postToSlackApp>[3]): Promise<{ status: number; text: string }>;
  contactOf(userId: number): Promise<{ id: string; openTicketId: string | null } | null>;
  history(userId: number): Promise<TimelineEntry[]>;
  close(): Promise<void>;
}

/** Options: without Slack, an allow list instead of channel membership, the desk's timings. */
export interface SupportAppOptions {
  slack?: boolean;
  /** How Slack reaches Rapport: signed HTTP requests on PORT (default) or Socket Mode. */
  mode?: "http" | "socket";
  allowList?: string[];
  desk?: SupportDeskOptions;
  /** Connect through this URL instead of the fresh database's (test/helpers/outage.ts); the fresh one is still made and dropped. */
  databaseUrl?: (fresh: string) => string;
  /** DB_RETRY_SECONDS (default 2). */
  dbRetrySeconds?: number;
}

/** Starts both fakes, a fresh database, the app with the shipped flows, Telegram polling and Slack in HTTP mode. */
export async function startSupportApp(options: SupportAppOptions = {}): Promise<SupportTestApp> {
  const telegram = await FakeTelegram.start();
  const slack = options.slack === false ? undefined : await FakeSlack.start({ members: { [SUPPORT_CHANNEL]: [...STAFF, "UBOT"] }, users: { UANNA: { name: "anna" }, UBORIS: { name: "boris" } } });
  const url = await freshDatabaseUrl();
  const logs: SupportTestApp["logs"] = [];
  const log = createLogger("debug", (line) => logs.push(JSON.parse(line)));
  const app = await createApp({
    settings: { databaseUrl: options.databaseUrl?.(url) ?? url, flowsDir: join(ROOT, "flows"), localesDir: join(ROOT, "locales"), hotReload: false, dbRetrySeconds: options.dbRetrySeconds ?? 2 },
    log, support: { retryDelaysMs: [200, 200, 200], pollMs: 100, ...options.desk }, jobs: { pollMs: 100 },
    engine: { outbox: { retryDelaysMs: [200, 200, 200], pollMs: 100 } },
  });
  const emitted: SupportTestApp["emitted"] = [];
  const emit = app.engine.emit.bind(app.engine);
  app.engine.emit = (contactId, name, data = {}, to) => {
    emitted.push({ contactId, name, data });
    return emit(contactId, name, data, to);
  };
  const http = new HttpServer(log);
  const staff = slack && new SlackSupport({
    token: slack.token, channel: SUPPORT_CHANNEL, apiUrl: slack.apiUrl, allowList: options.allowList, log,
    ...(options.mode === "socket" ? { appToken: slack.appToken } : { signingSecret: SIGNING_SECRET }),
    retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 20 },
  });
  if (staff) http.use(staff.route());
  const port = await http.listen(0, "127.0.0.1");
  const channel = new TelegramChannel({ token: telegram.token, log, apiRoot: telegram.apiRoot, limits: FAST_LIMITS, shutdownGraceMs: 2000 });
  app.engine.attach(channel);
  await channel.start(app.engine.deliver);
  if (staff) {
    await staff.start(app.support);
    app.support.attachStaff(staff);
  }
  app.support.outbox.start();
  app.engine.outbox.start();
  app.jobs.start();
  const eventsUrl = `http://127.0.0.1:${port}${SLACK_EVENTS_PATH}`;
  const identity = (userId: number) => app.db.prisma.channelIdentity.findUnique({ where: { channel_externalId: { channel: "telegram", externalId: String(userId) } } });
  let closed = false;
  return {
    telegram, slack, app, staff, logs, eventsUrl, emitted,
    post: (body, o) => postToSlackApp(eventsUrl, SIGNING_SECRET, body, o),
    async contactOf(userId) {
      const id = await identity(userId);
      return id ? app.db.prisma.contact.findUnique({ where: { id: id.contactId }, select: { id: true, openTicketId: true } }) : null;
    },
    async history(userId) {
      const id = await identity(userId);
      return id ? timeline(app.db, id.contactId) : [];
    },
    async close() {
      if (closed) return;
      closed = true;
      await channel.stop();
      await staff?.stop();
      await http.close();
      await app.close();
      await telegram.close();
      await slack?.close();
      await dropDatabase(url);
    },
  };
}

/** Starts support test apps that are closed after each test of the file. */
export function useSupportApps(): (options?: SupportAppOptions) => Promise<SupportTestApp> {
  const open: SupportTestApp[] = [];
  afterEach(async () => { for (const a of open.splice(0)) await a.close(); });
  return async (options) => { const t = await startSupportApp(options); open.push(t); return t; };
}
