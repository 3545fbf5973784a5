import type { Dialect, Prisma } from "./Database";

/** The client inside `prisma.$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<Prisma["$transaction"]>[0]>[0];

/**
 * Locks one contact's row until the transaction ends, so a count-then-write on its behalf (the
 * referral burst and per-period cap, issue #13: 8 sign-ups at once all passed a limit of 2) runs
 * one at a time. PostgreSQL: `SELECT … FOR UPDATE`, so another locker waits and readers do not.
 * SQLite has no row locks: a no-op UPDATE takes the database's write lock at once (Prisma's adapter
 * already runs one transaction at a time per process; this makes another process wait on its busy
 * timeout instead of failing at its first write). Returns false when there is no such contact.
 */
export async function lockContact(tx: Tx, dialect: Dialect, contactId: string): Promise<boolean> {
  if (dialect === "postgresql") {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM contacts WHERE id = ${contactId} FOR UPDATE`;
    return rows.length > 0;
  }
  return (await tx.$executeRaw`UPDATE contacts SET id = id WHERE id = ${contactId}`) > 0;
}
