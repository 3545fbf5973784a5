import type { Address, OutboundMessage } from "../core/message";
import type { Row } from "../db/plan";

/**
 * Who waits for whom (issue 13): a conversation reply is never delayed by a notification or a
 * campaign, per contact (it goes ahead of their unsent ones) and across contacts (campaign sends
 * in flight are capped, so they never fill the channel's rate-limit queue).
 */
export type OutboxPriority = "conversation" | "notification" | "campaign";

/** The stored number of each priority; lower is sent first. */
export const PRIORITY: Readonly<Record<OutboxPriority, number>> = { conversation: 0, notification: 1, campaign: 2 };

/** One message in the outbox, as the dispatcher sends it. */
export interface OutboxEntry {
  id: string;
  contactId: string;
  to: Address;
  message: OutboundMessage;
  priority: number;
  /** The message's row in the contact history. */
  interactionId: string | null;
  attempts: number;
  failingSince: Date | null;
  /** What the send is part of (`ticket:<ticket message id>` for a staff relay), for its receipt. */
  source: string | null;
}

/** Column names in the order `pushOutboxValues` emits them (the hot path's multi-row insert). */
export const OUTBOX_COLUMNS = ["id", "contact_id", "channel", "chat_id", "user_id", "payload", "interaction_id", "priority", "status", "attempts", "next_attempt_at", "lease_until", "lease_owner", "source", "created_at"] as const;

/**
 * Pushes a new entry's values, in OUTBOX_COLUMNS order, onto `values` (the hot path's multi-row insert
 * builds one array for the batch); `lease` set when the inserting process sends it itself.
 */
export function pushOutboxValues(values: unknown[], e: OutboxEntry, now: Date, lease: { until: Date; owner: string } | null): void {
  values.push(e.id, e.contactId, e.to.channel, e.to.externalChatId, e.to.externalUserId, JSON.stringify(e.message), e.interactionId, e.priority,
    "pending", 0, now, lease?.until ?? null, lease?.owner ?? null, e.source, now);
}

/** The columns a claim returns, for `toEntry`. */
export const ENTRY_COLUMNS = "id, contact_id, channel, chat_id, user_id, payload, interaction_id, priority, attempts, failing_since, source";

/** An outbox row as read back (either driver: SQLite gives timestamps as text, PostgreSQL as Date). */
export function toEntry(r: Row): OutboxEntry {
  return {
    id: r.id as string,
    contactId: r.contact_id as string,
    to: { channel: r.channel as string, externalChatId: r.chat_id as string, externalUserId: r.user_id as string },
    message: JSON.parse(r.payload as string) as OutboundMessage,
    priority: Number(r.priority),
    interactionId: (r.interaction_id as string | null) ?? null,
    attempts: Number(r.attempts),
    failingSince: r.failing_since ? new Date(r.failing_since as string | Date) : null,
    source: (r.source as string | null) ?? null,
  };
}

/** Orders a contact's entries as they must be sent: by priority, then as stored (ids sort by creation). */
export function sendOrder(a: OutboxEntry, b: OutboxEntry): number {
  return a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
