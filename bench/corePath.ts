import type { App } from "../src/app/createApp";
import type { InboundBody, InboundEvent } from "../src/core/message";
import type { BenchPath, CustomerGroup } from "./BenchPath";
import { CountingChannel } from "./CountingChannel";
import { signupScript } from "./customer";

/**
 * Customers straight into the engine: each message is an InboundEvent handed to `engine.deliver`,
 * replies go to a counting channel. No channel library runs, so this is the engine and its database
 * alone, the baseline the other paths are compared with.
 */
export function corePath(app: App): BenchPath {
  const channel = new CountingChannel();
  app.engine.attach(channel);
  const deliver = app.engine.deliver;
  return {
    name: "core",
    channel: channel.name,
    get total() { return channel.total; },
    userId: (group: CustomerGroup, n: number) => (group === "calibration" ? group : `${group}-${n}`),
    message(user, n, k) {
      const event = messageEvent(channel.name, user, k, signupScript(n)[k]!);
      return () => deliver(event);
    },
    take: (user) => channel.take(user),
    check: async () => [],
    close: () => channel.stop(),
  };
}

/** Message k of `user` as a channel would deliver it; the dedupe key makes it cost what a Telegram update costs. */
function messageEvent(channel: string, user: string, k: number, body: InboundBody): InboundEvent {
  return {
    channel, sender: { externalUserId: user, languageHint: "en" }, externalChatId: user,
    externalMessageId: String(k + 1), dedupeKey: `bench:${user}:${k + 1}`, receivedAt: new Date(), body,
  };
}
