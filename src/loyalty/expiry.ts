import type { Database } from "../db/Database";
import { anyRow } from "../db/anyRow";
import { insertJob } from "../jobs/JobScheduler";
import type { Ledger } from "./Ledger";
import type { LoyaltyRules } from "./rules";

/**
 * Expires what is left of earning batches whose time has come, oldest first: one `expire` entry
 * per batch, keyed `expire:<batch id>`, so a sweep that runs twice (or on two instances) expires once.
 */
export async function expireDue(db: Database, ledger: Ledger, now = new Date()): Promise<number> {
  if (!(await anyRow(db, "SELECT id FROM ledger_entries WHERE remaining > 0 AND expires_at <= ?", now))) return 0; // every minute: see anyRow
  const due = await db.prisma.ledgerEntry.findMany({ where: { remaining: { gt: 0 }, expiresAt: { lte: now } }, orderBy: { expiresAt: "asc" }, take: 1000 });
  let expired = 0;
  for (const batch of due) {
    // The amount is re-read under the contact's lock: a redeem may have spent from this batch meanwhile.
    const posted = await ledger.post({ contactId: batch.contactId, kind: "expire", points: -batch.remaining, reason: "points expired", source: "expiry", key: `expire:${batch.id}`, reversesId: batch.id, details: { batchId: batch.id } });
    if (!posted.duplicate) expired += -posted.entry.points;
  }
  return expired;
}

/**
 * Reminds each customer once per batch before points expire: per contact, one transaction claims
 * the batches (a conditional update, so only one sweep or instance wins each) and stores the
 * `loyalty.points_expiring` event as a job (issue 13: marking reminded and then sending lost the
 * reminder on a crash in between). The job runner starts the flow, whose reply goes through the
 * outbox. Returns how many contacts were queued a reminder.
 */
export async function remindDue(db: Database, rules: LoyaltyRules, now = new Date()): Promise<number> {
  if (rules.expiry.after_days === 0) return 0;
  const horizon = new Date(now.getTime() + rules.expiry.remind_days_before * 86_400_000);
  if (!(await anyRow(db, "SELECT id FROM ledger_entries WHERE remaining > 0 AND reminded_at IS NULL AND expires_at > ? AND expires_at <= ?", now, horizon))) return 0;
  const due = await db.prisma.ledgerEntry.findMany({ where: { remaining: { gt: 0 }, remindedAt: null, expiresAt: { gt: now, lte: horizon } }, select: { id: true, contactId: true }, orderBy: { id: "asc" }, take: 1000 });
  const byContact = new Map<string, string[]>();
  for (const batch of due) byContact.set(batch.contactId, [...(byContact.get(batch.contactId) ?? []), batch.id]);
  let reminded = 0;
  for (const [contactId, ids] of byContact) {
    const queued = await db.prisma.$transaction(async (tx) => {
      const claimed = await tx.ledgerEntry.updateMany({ where: { id: { in: ids }, remindedAt: null }, data: { remindedAt: now } });
      if (claimed.count === 0) return false; // another sweep or instance was first
      // Due by the clock, not by `now` (a sweep may look ahead); keyed by the first batch, so it is stored once.
      await insertJob(tx, { kind: "event", contactId, name: "loyalty.points_expiring", data: { asOf: now.toISOString() }, dueAt: new Date(), key: `points.remind:${ids[0]}` });
      return true;
    });
    if (queued) reminded++;
  }
  return reminded;
}
