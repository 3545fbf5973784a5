import type { Database } from "../db/Database";
import type { Ledger } from "./Ledger";
import type { LoyaltyRules } from "./rules";

/**
 * Expires what is left of earning batches whose time has come, oldest first: one `expire` entry
 * per batch, keyed `expire:<batch id>`, so a sweep that runs twice (or on two instances) expires once.
 */
export async function expireDue(db: Database, ledger: Ledger, now = new Date()): Promise<number> {
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
 * Reminds each customer once per batch before points expire: claims the batches (a conditional
 * update, so only one sweep or instance wins each) and then calls `remind` once per contact.
 */
export async function remindDue(db: Database, rules: LoyaltyRules, remind: (contactId: string, asOf: Date) => Promise<void>, now = new Date()): Promise<number> {
  if (rules.expiry.after_days === 0) return 0;
  const horizon = new Date(now.getTime() + rules.expiry.remind_days_before * 86_400_000);
  const due = await db.prisma.ledgerEntry.findMany({ where: { remaining: { gt: 0 }, remindedAt: null, expiresAt: { gt: now, lte: horizon } }, select: { id: true, contactId: true }, take: 1000 });
  const contacts = new Set<string>();
  for (const batch of due) {
    const claimed = await db.prisma.ledgerEntry.updateMany({ where: { id: batch.id, remindedAt: null }, data: { remindedAt: now } });
    if (claimed.count > 0) contacts.add(batch.contactId);
  }
  for (const contactId of contacts) await remind(contactId, now);
  return contacts.size;
}
