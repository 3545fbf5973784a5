import { sql } from "../src/db/plan";
import { BenchFailure } from "./BenchFailure";
import type { BenchSession } from "./session";

/** What a session's database must hold after `customers` customers each finished the sign-up flow. */
export interface Expectation {
  customers: number;
  messagesPerCustomer: number;
  /** History rows one customer's conversation leaves (counted from the calibration customer). */
  rowsPerCustomer: number;
  /** Replies one customer receives (from the calibration customer). */
  repliesPerCustomer: number;
}

/** History rows stored for one customer of the session's path (its channel name is part of the identity). */
export async function rowsOf(session: BenchSession, externalUserId: string): Promise<number> {
  // Plain statements, as the engine's own: Prisma would add its ~20 MB to the peak RSS the bench measures (Database.prisma).
  const [row] = await session.app.db.query(sql(`SELECT COUNT(i.id) AS n, MIN(ci.contact_id) AS contact FROM channel_identities ci LEFT JOIN interactions i ON i.contact_id = ci.contact_id
    WHERE ci.channel = ? AND ci.external_id = ?`, session.path.channel, externalUserId));
  if (!row?.contact) throw new BenchFailure(`no contact was stored for customer ${externalUserId}`);
  return Number(row.n);
}

/**
 * Checks, with one query, that every customer's conversation finished and every interaction was
 * stored and marked handled, that the channel sent every reply, and whatever the path checks itself
 * (the telegram path: every button press answered). Throws BenchFailure naming each mismatch. Returns
 * the number of history rows.
 */
export async function verifySession(session: BenchSession, expect: Expectation): Promise<number> {
  const [row] = await session.app.db.query(sql(`SELECT
      (SELECT COUNT(*) FROM contacts) AS contacts,
      (SELECT COUNT(*) FROM interactions) AS interactions,
      (SELECT COUNT(*) FROM interactions i JOIN handled_messages h ON h.interaction_id = i.id WHERE i.direction = 'in') AS handled,
      (SELECT COUNT(*) FROM interactions WHERE direction = 'out') AS outbound,
      (SELECT COUNT(*) FROM interactions WHERE kind = 'flow.end' AND data LIKE '%"completed"%') AS completed,
      (SELECT COUNT(*) FROM interactions WHERE kind IN ('error', 'answer.invalid')) AS problems,
      (SELECT COUNT(*) FROM conversation_states WHERE flow_id IS NULL AND waiting IS NULL) AS idle`));
  const got = Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]));
  const n = expect.customers;
  const wanted: Record<string, number> = {
    contacts: n,
    interactions: n * expect.rowsPerCustomer,
    handled: n * expect.messagesPerCustomer,
    outbound: n * expect.repliesPerCustomer,
    completed: n,
    problems: 0,
    idle: n,
  };
  const wrong = Object.entries(wanted).filter(([k, v]) => got[k] !== v).map(([k, v]) => `${k}: ${got[k]} in the database, expected ${v}`);
  if (session.path.total !== n * expect.repliesPerCustomer) wrong.push(`replies sent: ${session.path.total}, expected ${n * expect.repliesPerCustomer}`);
  wrong.push(...(await session.path.check(n)));
  if (wrong.length > 0) {
    throw new BenchFailure(`${session.dialect}, ${session.path.name} path: after ${n} customers the run is not what the bench measures:\n  ${wrong.join("\n  ")}`);
  }
  return got.interactions!;
}
