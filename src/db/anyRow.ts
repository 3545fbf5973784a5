import type { Database } from "./Database";
import { sql, type Plan, type Row, type Statement } from "./plan";
import { withDbRetry } from "./retry";

/**
 * Whether the SELECT `text` (no LIMIT of its own) finds a row: the check the sweeper's tasks and the
 * pollers make before the work itself, in a plain statement. Periodic work that finds nothing to do
 * must not load Prisma (Database.prisma, issue 17: ~20 MB an idle or chat-only process would carry
 * for a query a minute); the work, when there is some, still uses it. Mirror the work's `where`, so
 * the check finds what the work would.
 *
 * On PostgreSQL the check runs on the hot path's connections, which have sequential scans off (the
 * hot path reads by index only); several checks read columns no index covers, where a scan is what
 * is meant, so it is allowed for this statement's transaction.
 */
export async function anyRow(db: Database, text: string, ...params: unknown[]): Promise<boolean> {
  const statement = sql(`${text} LIMIT 1`, ...params);
  return (await withDbRetry(() => (db.dialect === "postgresql" ? db.run(scanning(statement)) : db.query(statement)))).length > 0;
}

/** `statement` in a transaction of its own with sequential scans allowed. */
function* scanning(statement: Statement): Plan<Row[]> {
  yield sql("SET LOCAL enable_seqscan = on");
  return yield statement;
}
