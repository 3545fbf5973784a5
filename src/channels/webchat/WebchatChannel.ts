import type { Channel, Deliver } from "../../core/Channel";
import type { Address, InboundBody, OutboundMessage } from "../../core/message";

/** What the channel tells when it has "sent" (the outbox row is committed): the feed looks at once. */
export interface WebchatWaker {
  kick(): void;
  stop(): void;
}

/**
 * The web chat: customers talk to the bot from a widget on any website (src/console/assets/widget.js)
 * over HTTP, messages in by POST and replies out by server-sent events (webchatRoutes.ts). Like the
 * other adapters it only translates: the engine, flows, history and support handoff are the same as
 * for Telegram. A visitor is `webchat:<id>`, the id a digest of a token the browser keeps.
 *
 * Sending holds nothing in memory: the message is its outbox row, which the WebchatFeed of whichever
 * instance holds the visitor's stream reads and streams (this instance's at once, others within a
 * second). So no sticky sessions are needed, and a restart loses no reply the browser has not collected.
 */
export class WebchatChannel implements Channel {
  readonly name = "webchat";
  /** The feed streams the outbox rows themselves, also after they were sent (outboundSince). */
  readonly readsSentOutbox = true;
  private deliver: Deliver | undefined;
  private seqIn = 0;

  constructor(private readonly feed?: WebchatWaker) {}

  async start(deliver: Deliver): Promise<void> {
    this.deliver = deliver;
  }

  /** Stops taking messages and closes every open stream (browsers reconnect to another instance). */
  async stop(): Promise<void> {
    this.deliver = undefined;
    this.feed?.stop();
  }

  async send(to: Address, _message: OutboundMessage): Promise<{ externalMessageId?: string }> {
    this.feed?.kick();
    return { externalMessageId: `web-${to.externalUserId.slice(0, 12)}-${Date.now().toString(36)}` };
  }

  /** A visitor's message: delivered to the engine; resolves once it is stored and answered. */
  async receive(visitorId: string, body: InboundBody, languageHint: string | undefined, displayName?: string): Promise<void> {
    if (!this.deliver) throw new Error("the webchat channel is not started");
    await this.deliver({
      channel: this.name,
      sender: { externalUserId: visitorId, displayName, languageHint },
      externalChatId: visitorId,
      externalMessageId: `in-${Date.now().toString(36)}-${++this.seqIn}`,
      receivedAt: new Date(),
      body,
    });
  }
}
