import type { App } from "../../app/createApp";
import type { Settings } from "../../config";
import type { Logger } from "../../core/log";
import type { Route } from "../../http/server";
import { createLinkCode } from "../../contacts/webchatLink";
import { ApiError } from "../../http/api/errors";
import { REFERRALS } from "../../referrals/Referrals";
import { WebchatChannel } from "./WebchatChannel";
import { WebchatFeed } from "./WebchatFeed";
import { webchatRoutes } from "./webchatRoutes";

/** The running web chat: its channel (attached to the engine), the feed streaming its replies, and its HTTP route. */
export interface Webchat {
  channel: WebchatChannel;
  feed: WebchatFeed;
  route: Route;
}

/** Starts the web chat channel on the app's engine and builds its routes (WEBCHAT_ORIGINS for CORS). */
export async function webchatFromSettings(app: App, settings: Pick<Settings, "webchatOrigins">, log: Logger): Promise<Webchat> {
  const feed = new WebchatFeed(app.db, log);
  const channel = new WebchatChannel(feed);
  app.engine.attach(channel);
  await channel.start(app.engine.deliver);
  const linkCode = async (visitor: string) => {
    const made = await createLinkCode(app.db, visitor);
    if (!made) throw new ApiError(409, "nothing_to_join", "write a message first; then the chat can be continued in Telegram");
    const bot = app.services.get(REFERRALS).telegramBot();
    return { ...made, ...(bot ? { link: `https://t.me/${bot}?start=web-${made.code}` } : {}) };
  };
  return { channel, feed, route: webchatRoutes({ channel, feed, db: app.db, log, allowedOrigins: settings.webchatOrigins, linkCode }) };
}
