import type { Dialect } from "../db/Database";
import { sql, type Statement } from "../db/plan";
import { ENTRY_COLUMNS } from "./OutboxEntry";

/**
 * The dispatcher's SQL, one statement each, the same on both databases except where noted. Only
 * `markSent` and `forgetSent` are on the hot path (once per batch of sent messages); the others run on the slow
 * path (a crash left rows, a retry came due, another process enqueued).
 */

/**
 * Marks a batch of sent messages. A row failed meanwhile stays failed; one held or cancelled (its
 * campaign paused or cancelled) while it was already in the channel's hands did go out, and says so.
 */
export function markSent(dialect: Dialect, ids: string[], now: Date): Statement {
  if (dialect === "postgresql") {
    return { ...sql(`UPDATE outbox SET status = 'sent', sent_at = ?::timestamp(3), attempts = attempts + 1 WHERE id = ANY(?::text[]) AND status IN ('pending', 'sending', 'held', 'cancelled')`, now, ids), name: "rapport_outbox_sent_v3" };
  }
  // One statement text whatever the batch size: SQLite's statement cache is shared with the hot path.
  return sql(`UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('pending', 'sending', 'held', 'cancelled')`, now, JSON.stringify(ids));
}

/**
 * Deletes a batch of sent messages that nothing reads after sending (a turn's replies; see
 * OutboxDispatcher), instead of marking them: on PostgreSQL a mark writes a new row version and two
 * index entries (the status is in outbox_pending_idx's predicate, so it is never a HOT update), a
 * delete only flags the row (issue 13: "the normal bench must not get slower by more than 10%").
 * The history keeps what was said. The same statuses as markSent: a row failed meanwhile stays.
 */
export function forgetSent(dialect: Dialect, ids: string[], now = new Date()): Statement {
  if (dialect === "postgresql") {
    return { ...sql(`DELETE FROM outbox WHERE id = ANY(?::text[]) AND status IN ('pending', 'sending', 'held', 'cancelled')`, ids), name: "rapport_outbox_forget_v1" };
  }
  // SQLite marks them: there a mark rewrites the row and leaves the pending index, while a delete
  // also edits the primary key's and the contact index's b-trees (the bench, SQLite, 17:46-17:48,
  // load 4: 0.91 and 0.81 of the mark's msg/s, +9-10% CPU per message). The purge deletes them later.
  return markSent(dialect, ids, now);
}

/**
 * Leases, per contact, the message that is next (lowest priority, then oldest pending) if it is due
 * and nobody holds it: one row per contact, so fifty rows behind one failing contact's head take no
 * place from others (issue 13: the relay's 50-oldest batch starved every other ticket). A contact's
 * later rows are never taken while an earlier one is pending. Only rows for `channels` (attached in
 * this process); optionally one contact. PostgreSQL skips rows another poller is claiming. Never a
 * row whose contact is gone (PostgreSQL's outbox has no foreign key, migration 0018: a row stored
 * while the contact was being erased outlives them; the purge removes it).
 */
export function claimHeads(dialect: Dialect, input: { channels: string[]; now: Date; leaseUntil: Date; owner: string; limit: number; contactId?: string }): Statement {
  const skipLocked = dialect === "postgresql" ? "FOR UPDATE SKIP LOCKED" : "";
  const one = input.contactId ? "AND o.contact_id = ?" : "";
  return sql(
    `UPDATE outbox SET lease_until = ?, lease_owner = ?
     WHERE id IN (SELECT o.id FROM outbox o
       WHERE o.status = 'pending' AND o.next_attempt_at <= ? AND (o.lease_until IS NULL OR o.lease_until < ?)
         AND o.channel IN (${input.channels.map(() => "?").join(",")}) ${one}
         AND EXISTS (SELECT 1 FROM contacts c WHERE c.id = o.contact_id)
         AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.contact_id = o.contact_id AND e.status = 'pending'
           AND (e.priority < o.priority OR (e.priority = o.priority AND e.id < o.id)))
       ORDER BY o.priority, o.next_attempt_at LIMIT ${Math.max(1, Math.floor(input.limit))} ${skipLocked})
       AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)
     RETURNING ${ENTRY_COLUMNS}`,
    input.leaseUntil, input.owner, input.now, input.now, ...input.channels, ...(input.contactId ? [input.contactId] : []), input.now,
  );
}

/** Keeps this process's leases alive while it works through them (a crash lets them run out soon). */
export function renewLeases(owner: string, until: Date, now: Date): Statement {
  return sql(`UPDATE outbox SET lease_until = ? WHERE lease_owner = ? AND status IN ('pending', 'sending') AND lease_until >= ?`, until, owner, now);
}

/** Gives rows back (not sent here: a retry comes first, or the process is stopping); the poller retakes them. */
export function releaseLeases(owner: string, ids: string[]): Statement {
  return sql(`UPDATE outbox SET lease_until = NULL, lease_owner = NULL WHERE id IN (${ids.map(() => "?").join(",")}) AND lease_owner = ? AND status = 'pending'`, ...ids, owner);
}

/** A transient failure: try again at `at`; the lease is given back so the poller (of any instance) retakes it. */
export function scheduleRetry(id: string, at: Date, error: string, failingSince: Date): Statement {
  return sql(`UPDATE outbox SET status = 'pending', attempts = attempts + 1, next_attempt_at = ?, last_error = ?, failing_since = COALESCE(failing_since, ?),
    lease_until = NULL, lease_owner = NULL WHERE id = ? AND status IN ('pending', 'sending')`, at, error, failingSince, id);
}

