/**
 * A support ticket's life: `open` (waiting for a person) → `claimed` (someone has it) → `resolved`,
 * `handed_back` (back to the bot, unresolved) or `cancelled` (the customer stopped waiting).
 */
export type TicketStatus = "open" | "claimed" | "resolved" | "handed_back" | "cancelled";

/** Statuses in which a person may have the chat: customer messages go to staff, not the flows. */
export const ACTIVE_STATUSES: readonly TicketStatus[] = ["open", "claimed"];

/** Why a ticket was opened (stored with it; reports count them). */
export type EscalationReason = "flow" | "asked_for_person" | "faq_miss" | "command" | "nps_detractor" | "low_rating";

/**
 * A person handling tickets: a Slack member (`agent:<Slack user id>`) or an operator working from the
 * command line without Slack (`operator:<name>`, `rapport tickets claim|reply|resolve|hand-back`).
 */
export type StaffActor = `agent:${string}` | `operator:${string}`;

/** Who did something to a ticket: staff, the customer or Rapport. */
export type TicketActor = StaffActor | "customer" | "system";

/** The actor string for a staff member, as stored in tickets and the contact history. */
export function agentActor(staffUserId: string): `agent:${string}` {
  return `agent:${staffUserId}`;
}

/** The actor string for an operator on the command line (`--as`, or the OS user). */
export function operatorActor(name: string): `operator:${string}` {
  return `operator:${name}`;
}

/** True for actors that are staff (an assignee, the agent a CSAT answer rates). */
export function isStaffActor(actor: string): actor is StaffActor {
  return actor.startsWith("agent:") || actor.startsWith("operator:");
}

/** True while the ticket can still be claimed, answered or closed. */
export function isActive(status: string): boolean {
  return (ACTIVE_STATUSES as readonly string[]).includes(status);
}
