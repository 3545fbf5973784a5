/**
 * A support ticket's life: `open` (waiting for a person) → `claimed` (someone has it) → `resolved`,
 * `handed_back` (back to the bot, unresolved) or `cancelled` (the customer stopped waiting).
 */
export type TicketStatus = "open" | "claimed" | "resolved" | "handed_back" | "cancelled";

/** Statuses in which a person may have the chat: customer messages go to staff, not the flows. */
export const ACTIVE_STATUSES: readonly TicketStatus[] = ["open", "claimed"];

/** Why a ticket was opened (stored with it; reports count them). */
export type EscalationReason = "flow" | "asked_for_person" | "faq_miss" | "command" | "nps_detractor";

/** Who did something to a ticket: a staff member (`agent:<Slack user id>`), the customer or Rapport. */
export type TicketActor = `agent:${string}` | "customer" | "system";

/** The actor string for a staff member, as stored in tickets and the contact history. */
export function agentActor(staffUserId: string): `agent:${string}` {
  return `agent:${staffUserId}`;
}

/** True while the ticket can still be claimed, answered or closed. */
export function isActive(status: string): boolean {
  return (ACTIVE_STATUSES as readonly string[]).includes(status);
}
