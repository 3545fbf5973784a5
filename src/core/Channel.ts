import type { Address, ChannelName, InboundEvent, OutboundMessage } from "./message";

/** A file a customer sent, fetched from their channel (to show it to support staff). */
export interface MediaFile {
  data: Buffer;
  fileName: string;
  mimeType?: string;
}

/**
 * Told once an event is in the database (or was found there: a redelivery), before it is handled.
 * A channel that confirms receipt to its network only for stored events (Telegram polling's offset)
 * may confirm from then on; whatever happens to the turn, the event is not lost.
 */
export interface DeliveryReceipt {
  stored(): void;
}

/** Called by a channel for every inbound event; resolves once the event is stored and handled. */
export type Deliver = (event: InboundEvent, receipt?: DeliveryReceipt) => Promise<void>;

/**
 * A chat network Rapport can talk through. Implementations translate, they do not decide: no flow,
 * loyalty or i18n logic lives in a channel (compare bolt's Receiver: init/start/stop).
 */
export interface Channel {
  readonly name: ChannelName;
  /** Begins receiving; every event goes to `deliver`, which the channel awaits before acknowledging. */
  start(deliver: Deliver): Promise<void>;
  /** Stops taking new events and lets those in flight finish. */
  stop(): Promise<void>;
  /** Sends one message; long text is the channel's to split to its own limits. */
  send(to: Address, message: OutboundMessage): Promise<{ externalMessageId?: string }>;
  /** Fetches a file the customer sent (an inbound media body's `fileId`), where the channel can. */
  downloadFile?(fileId: string): Promise<MediaFile>;
  /**
   * The channel's clients read sent messages back from the outbox (the web chat streams the rows
   * themselves), so a sent row must be kept (7 days) rather than deleted once sent (OutboxDispatcher.dispatch).
   */
  readonly readsSentOutbox?: boolean;
}
