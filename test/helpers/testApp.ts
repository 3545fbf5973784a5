import { join } from "node:path";
import { createApp, type App } from "../../src/app/createApp";
import type { Channel, Deliver } from "../../src/core/Channel";
import { silentLogger, type Logger } from "../../src/core/log";
import { parseCommand, type Address, type InboundBody, type InboundEvent, type OutboundMessage } from "../../src/core/message";
import { dropDatabase, freshDatabaseUrl } from "./database";

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
  close(): Promise<void>;
}

/** Turns what a person would type into a body: "/cmd payload" is a command, anything else text. */
export function bodyOf(input: string): InboundBody {
  return parseCommand(input) ?? { kind: "text", text: input };
}

/** Starts a test app; `flowsDir`/`localesDir` default to the shipped ones. */
export async function startTestApp(options: { flowsDir?: string; localesDir?: string; url?: string; log?: Logger; locale?: string } = {}): Promise<TestApp> {
  const url = options.url ?? (await freshDatabaseUrl());
  const app = await createApp({
    settings: { databaseUrl: url, flowsDir: options.flowsDir ?? join(ROOT, "flows"), localesDir: options.localesDir ?? join(ROOT, "locales"), hotReload: false, dbRetrySeconds: 2 },
    log: options.log ?? silentLogger,
  });
  const channel = new FakeChannel();
  app.engine.attach(channel);
  let n = 0;
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
    async close() {
      await app.close();
      if (!options.url) await dropDatabase(url);
    },
  };
}
