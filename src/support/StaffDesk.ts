import type { MediaFile } from "../core/Channel";
import { RapportError } from "../core/errors";
import type { TicketCard } from "./TicketCard";

/** A message posted where staff work (a Slack message): the channel and the message's id there. */
export interface StaffRef {
  channel: string;
  ts: string;
}

/** How a relayed staff message ended, shown to staff on their message (a reaction, a thread note). */
export type RelayOutcome =
  | { kind: "delivered" }
  | { kind: "note" }
  | { kind: "failed"; reason: string; willRetry: boolean }
  /** Rapport could not even store it (database down): the author must send it again. */
  | { kind: "not_relayed"; reason: string };

/** The staff channel says a message (a card) no longer exists: redrawing it is pointless. */
export class StaffMessageGoneError extends RapportError {
  readonly code = "rapport_staff_message_gone";
  constructor(readonly ref: StaffRef, reason: string) {
    super(`message ${ref.ts} in ${ref.channel} is gone (${reason})`);
  }
}

/** Something posted into a ticket's thread: the customer's words, or a notice for staff (English). */
export type ThreadNote =
  | { kind: "customer"; name: string; text: string }
  | { kind: "notice"; text: string };

/**
 * Where support staff work. The Slack adapter implements it; the support desk calls it and never
 * imports Slack. Every method may throw (rate limits, network): the desk retries what must arrive.
 */
export interface StaffDesk {
  /** A name for logs and the CLI ("slack"). */
  readonly name: string;
  /** Posts a new ticket's card; its thread is where the conversation with the customer happens. */
  postCard(card: TicketCard): Promise<StaffRef>;
  /** Redraws a card in place after the ticket changed (claimed, resolved, …). */
  updateCard(ref: StaffRef, card: TicketCard): Promise<void>;
  /** Posts into a ticket's thread (a customer's message, a notice for staff). */
  postInThread(ref: StaffRef, note: ThreadNote): Promise<StaffRef>;
  /** Uploads a file the customer sent into a ticket's thread, with their words (caption) as the comment. */
  postFileInThread(ref: StaffRef, file: MediaFile, note: ThreadNote): Promise<StaffRef>;
  /** Marks a staff member's message (in the thread of `card`) with what became of it: delivered, or why not. */
  markRelayed(card: StaffRef, message: StaffRef, outcome: RelayOutcome): Promise<void>;
}
