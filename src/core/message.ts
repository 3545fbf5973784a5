/**
 * The channel-neutral message model. Every channel adapter translates to and from these types, so
 * the flow engine, history and domains never see a Telegram update or a Slack payload.
 */

/** Names of the channels Rapport can talk through. A string so adapters can be added without a core change. */
export type ChannelName = "telegram" | "slack" | "terminal" | "test" | (string & {});

/** Who sent an inbound event, as the channel knows them. Ids stay strings: Telegram ids overflow int32. */
export interface Sender {
  externalUserId: string;
  displayName?: string;
  username?: string;
  /** The language the channel reports for the user (BCP 47-ish, e.g. "zh-hant"); a hint, not a choice. */
  languageHint?: string;
}

/** Non-text payload kinds a customer can send; recorded with their file ids, answered generically. */
export type MediaKind = "photo" | "sticker" | "voice" | "audio" | "video" | "document" | "location" | "contact" | "other";

/** What the customer sent, independent of the channel's wire format. */
export type InboundBody =
  | { kind: "text"; text: string }
  /** A button press: `value` is the choice value from the flow (not the label the customer saw). */
  | { kind: "choice"; value: string; label?: string }
  /** A slash command such as `/start ref-AB12`: command "start", payload "ref-AB12". */
  | { kind: "command"; command: string; payload?: string }
  | { kind: "media"; media: MediaKind; fileId?: string; caption?: string; details?: Record<string, unknown> };

/** What any channel delivers to the core. */
export interface InboundEvent {
  channel: ChannelName;
  sender: Sender;
  /** Where replies go (a Telegram chat id, a terminal session); often equal to the user id. */
  externalChatId: string;
  /** The channel's id for this message, stored with the history row. */
  externalMessageId?: string;
  /**
   * Unique per delivery source (e.g. "telegram:update:812"): a redelivered update with the same key is
   * recognised and not handled twice. Omit when the channel cannot redeliver.
   */
  dedupeKey?: string;
  receivedAt: Date;
  body: InboundBody;
}

/** A button offered with an outbound message. `value` comes back in an inbound `choice` body. */
export interface Choice {
  value: string;
  label: string;
}

/** A reply to a customer: already translated; channels only render it. */
export interface OutboundMessage {
  text: string;
  /** Buttons / quick replies (Telegram inline keyboard, Slack actions block, numbered list in a terminal). */
  choices?: Choice[];
  /**
   * The buttons are shortcuts for values the customer may just as well type (a 0-10 score): a typed
   * "9" means 9. Channels that let a typed number pick a button by its position (the terminal's
   * numbered list) must not do so here, and show the values themselves (issue 12: NPS 9 typed was
   * stored as 8).
   */
  choicesAreValues?: boolean;
  /** The external message id this answers, when the channel supports replying to a message. */
  replyTo?: string;
  /**
   * Bulk (a campaign message): a channel with an overall rate limit sends it only when no other
   * message waits for room, so conversation replies are never held up behind a campaign (issue 15).
   * Set by the dispatcher from the outbox row's priority; not stored.
   */
  bulk?: boolean;
}

/** Where to send something on a channel. */
export interface Address {
  channel: ChannelName;
  externalChatId: string;
  externalUserId: string;
}

/** Renders an inbound body as one line of text for history and logs at debug level. */
export function describeInbound(body: InboundBody): string {
  switch (body.kind) {
    case "text":
      return body.text;
    case "choice":
      return body.label ?? body.value;
    case "command":
      return `/${body.command}${body.payload ? ` ${body.payload}` : ""}`;
    case "media":
      return body.caption ?? `[${body.media}]`;
  }
}

/**
 * Reads "/start ref-AB12" (or "/start@MyBot ref-AB12", as Telegram sends in groups) as a command body:
 * command lowercased, the rest as payload. Anything else is not a command. Shared by every channel
 * that receives typed text, so "what is a command" has one definition.
 */
export function parseCommand(text: string): Extract<InboundBody, { kind: "command" }> | undefined {
  const m = /^\/([a-z0-9_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!m) return undefined;
  return { kind: "command", command: m[1]!.toLowerCase(), payload: m[2]?.trim() || undefined };
}
