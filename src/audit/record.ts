import { newId } from "../core/ids";
import type { Prisma } from "../db/Database";

/** What an audit row says: who, what, on which record, and a few codes (never text a person wrote). */
export interface AuditEvent {
  /** agent:<Slack user id>, operator:<name>, api:<key name>, customer, system. */
  actor: string;
  /** A stable dotted code: ticket.claim, idea.mark, contact.erase, api.purchase, ... */
  action: string;
  target: { type: string; id?: string | null };
  /** Ids, statuses and counts only. Message text and personal data must never go here. */
  detail?: Record<string, string | number | boolean | null>;
  at?: Date;
}

/** A Prisma client or an interactive transaction's `tx`: both have the audit model. */
export type AuditWriter = Pick<Prisma, "auditEntry">;

/**
 * Records a staff, operator or API action in the audit log (issue 16). Call it with the `tx` of the
 * transaction that makes the change, so the action and its audit row commit together or not at all:
 * an audit log that can miss actions (or list ones that rolled back) cannot answer "who did this".
 * Detail values are codes and ids; a string over 200 characters is refused, as it is likely text.
 */
export async function recordAudit(tx: AuditWriter, event: AuditEvent): Promise<string> {
  const id = newId();
  for (const [key, value] of Object.entries(event.detail ?? {})) {
    if (typeof value === "string" && value.length > 200) throw new RangeError(`audit: detail "${key}" is ${value.length} characters; audit rows hold codes and ids, never text`);
  }
  await tx.auditEntry.create({
    data: {
      id, at: event.at ?? new Date(), actor: event.actor, action: event.action,
      targetType: event.target.type, targetId: event.target.id ?? null,
      detail: event.detail && Object.keys(event.detail).length > 0 ? JSON.stringify(event.detail) : null,
    },
  });
  return id;
}

/** `audit.record(tx, …)`: the audit log's one entry point, named as other domains call it. */
export const audit = { record: recordAudit };
