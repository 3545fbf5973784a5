import type { Database } from "../db/Database";
import { recordInteraction } from "../history/recordInteraction";

/**
 * Marks a contact unreachable after a channel said the customer cannot receive messages (a Telegram
 * 403: they blocked the bot). Campaigns and staff read the flag; the history says when and why.
 * Only the first failure is recorded: a second send to a blocked customer changes nothing.
 */
export async function markUnreachable(db: Database, contactId: string, channel: string, reason: string): Promise<boolean> {
  return db.prisma.$transaction(async (tx) => {
    const changed = await tx.contact.updateMany({ where: { id: contactId, unreachable: false }, data: { unreachable: true } });
    if (changed.count === 0) return false;
    await recordInteraction(tx, contactId, { direction: "event", kind: "contact.unreachable", actor: "system", channel, text: reason });
    return true;
  });
}

/** Clears the flag when the customer writes again (they unblocked the bot): they can be reached. */
export async function markReachable(db: Database, contactId: string, channel: string): Promise<boolean> {
  return db.prisma.$transaction(async (tx) => {
    const changed = await tx.contact.updateMany({ where: { id: contactId, unreachable: true }, data: { unreachable: false } });
    if (changed.count === 0) return false;
    await recordInteraction(tx, contactId, { direction: "event", kind: "contact.reachable", actor: "system", channel });
    return true;
  });
}
