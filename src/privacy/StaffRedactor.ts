import type { StaffRef } from "../support/StaffDesk";

/** What became of the staff-side copies of one ticket (its card and thread). */
export interface StaffRemoval {
  deleted: StaffRef[];
  /** Could not be deleted, so its text was replaced. */
  redacted: StaffRef[];
  /** Still there, and why: staff members' own replies (a bot cannot remove them), or a failed call. */
  left: { ref: StaffRef; reason: string }[];
}

/**
 * Removes what Rapport posted about a customer where staff work (Slack): a ticket's card and the
 * messages the bot posted in its thread. Erasure calls it after the database is erased; what it could
 * not remove is listed for the operator, never silently kept. The Slack adapter implements it with
 * chat.delete (chat.update where deleting is refused); tests use the fake Web API.
 */
export interface StaffRedactor {
  readonly name: string;
  /** `known`: thread messages the database knows the bot posted (found again through the thread too). */
  removeTicket(card: StaffRef, known: StaffRef[]): Promise<StaffRemoval>;
}
