import type { Database } from "../db/Database";

/** What the outbox made of a claimed campaign message. */
export interface OutboxOutcome {
  /** The outbox row. */
  id: string;
  channel: string;
  /** pending (due, retrying), sending (its send began), held (campaign paused), sent, failed, cancelled. */
  status: string;
  /** Until when the process sending it holds it: a 'sending' row past it was cut short by a crash. */
  leaseUntil: Date | null;
  sentAt: Date | null;
  lastError: string | null;
  /** The contact blocked the bot (a failure then counts as blocked). */
  unreachable: boolean;
}

/** Keys per query: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

/**
 * The outbox rows of these campaign deliveries, by key (a delivery's key is its message's idempotency
 * key): the runner copies their outcomes into the deliveries, and the report reads them for
 * messages still in flight. A flow/event start has no row of its own.
 */
export async function outboxOutcomes(db: Database, keys: readonly string[]): Promise<Map<string, OutboxOutcome>> {
  const out = new Map<string, OutboxOutcome>();
  for (let i = 0; i < keys.length; i += CHUNK) {
    const rows = await db.prisma.outboxMessage.findMany({
      where: { idempotencyKey: { in: keys.slice(i, i + CHUNK) } },
      select: { id: true, channel: true, idempotencyKey: true, status: true, leaseUntil: true, sentAt: true, lastError: true, contact: { select: { unreachable: true } } },
    });
    for (const r of rows) out.set(r.idempotencyKey!, { id: r.id, channel: r.channel, status: r.status, leaseUntil: r.leaseUntil, sentAt: r.sentAt, lastError: r.lastError, unreachable: r.contact.unreachable });
  }
  return out;
}
