import type { Address, InboundEvent } from "./message";

/** A customer's message that arrived while a person has the chat (an open support ticket). */
export interface HandedOffMessage {
  contactId: string;
  ticketId: string;
  /** The contact's locale, for anything the desk tells the customer. */
  locale: string;
  event: InboundEvent;
  /** The message's row in the contact history (already stored). */
  interactionId: string;
  /** Where the customer wrote from: replies go back there. */
  from: Address;
}

/**
 * Takes customers' messages while a person has the chat, instead of the flows. The engine has
 * stored the message before calling it. Returns false when the ticket turned out to be closed, so
 * the flows answer after all. The support desk provides it; the core does not know about Slack.
 */
export type HandoffHandler = (message: HandedOffMessage) => Promise<boolean>;

/** The result of sending one message outside a turn: delivered, or why not. */
export type SendResult = { ok: true; externalMessageId?: string } | { ok: false; error: Error; unreachable: boolean };
