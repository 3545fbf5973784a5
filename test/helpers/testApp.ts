import { join } from "node:path";
import { createApp, type App } from "../../src/app/createApp";
import type { Channel, Deliver } from "../../src/core/Channel";
import { silentLogger, type Logger } from "../../src/core/log";
import { parseCommand, type Address, type InboundBody, type InboundEvent, type OutboundMessage } from "../../src/core/message";
import { dropDatabase, freshDatabaseUrl } from "./database";
import { timeline, type TimelineEntry } from "../../src/history/timeline";
import { afterEach } from "vitest";
import type { CampaignRules } from "../../src/campaigns/eligibility";
import type { CampaignRunnerOptions } from "../../src/campaigns/CampaignRunner";
import type { DispatcherOptions } from "../../src/outbox/OutboxDispatcher";

export const ROOT = join(import.meta.dirname, "..", "..");

/** A channel that records what the engine sends, for assertions. */
export class FakeChannel implements Channel {
  readonly name = "test";
  readonly sent: { to: Address; message: OutboundMessage }[] = [];
  async start(_deliver: Deliver) {}
  async stop() {}
  async send(to: Address, message: OutboundMessage) {
    this.sent.push({ to, message });
    return { externalMessageId: String(this.sent.length) };
  }
}

/** A running core on a fresh database with the shipped flows and locales, plus a fake channel. */
export interface TestApp {
  app: App;
  channel: FakeChannel;
  url: string;
  /** Sends a customer's message and returns the texts of the replies it produced. */
  say(user: string, input: string | InboundBody, extra?: Partial<InboundEvent>): Promise<OutboundMessage[]>;
  /** The timeline of customer `user` on the test channel, oldest first. */
  history(user: string): Promise<TimelineEntry[]>;
  close(): Promise<void>;
}

/** Turns what a person would type into a body: "/cmd payload" is a command, anything else text. */
export function bodyOf(input: string): InboundBody {
  return parseCommand(input) ?? { kind: "text", text: input };
}

/** Starts a test app; `flowsDir`/`localesDir` default to the shipped ones. */
export async function startTestApp(options: { flowsDir?: string; localesDir?: string; url?: string; log?: Logger; locale?: string; purchaseEventsMaxAgeHours?: number; campaignRules?: CampaignRules; campaigns?: CampaignRunnerOptions; outbox?: DispatcherOptions } = {}): Promise<TestApp> {
  const url = options.url ?? (await freshDatabaseUrl());
  const app = await createApp({
    settings: { databaseUrl: url, flowsDir: options.flowsDir ?? join(ROOT, "flows"), localesDir: options.localesDir ?? join(ROOT, "locales"), hotReload: false, dbRetrySeconds: 2, purchaseEventsMaxAgeHours: options.purchaseEventsMaxAgeHours, campaignRules: options.campaignRules },
    log: options.log ?? silentLogger,
    campaigns: options.campaigns,
    engine: options.outbox ? { outbox: options.outbox } : undefined,
  });
  const channel = new FakeChannel();
  app.engine.attach(channel);
  let n = 0;
  let closed = false;
  return {
    app, channel, url,
    async say(user, input, extra = {}) {
      const before = channel.sent.length;
      await app.engine.deliver({
        channel: "test", sender: { externalUserId: user, languageHint: options.locale }, externalChatId: user,
        externalMessageId: `m${++n}`, receivedAt: new Date(), body: typeof input === "string" ? bodyOf(input) : input, ...extra,
      });
      return channel.sent.slice(before).filter((s) => s.to.externalUserId === user).map((s) => s.message);
    },
    async history(user) {
      const id = await app.db.prisma.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "test", externalId: user } } });
      return timeline(app.db, id.contactId);
    },
    async close() {
      if (closed) return; // tests may close early; useTestApps closes again afterwards
      closed = true;
      await app.close();
      if (!options.url) await dropDatabase(url);
    },
  };
}

/** Starts test apps that are closed (and their databases dropped) after each test of the file. */
export function useTestApps(): (options?: Parameters<typeof startTestApp>[0]) => Promise<TestApp> {
  const open: TestApp[] = [];
  afterEach(async () => { for (const a of open.splice(0)) await a.close(); });
  return async (options) => { const t = await startTestApp(options); open.push(t); return t; };
}
