import type { Database } from "./Database";
import { sql } from "./plan";
import { withDbRetry } from "./retry";

/**
 * Whether the SELECT `text` (no LIMIT of its own) finds a row: the check the sweeper's tasks and the
 * pollers make before the work itself, in a plain statement. Periodic work that finds nothing to do
 * must not load Prisma (Database.prisma, issue 17: ~20 MB an idle or chat-only process would carry
 * for a query a minute); the work, when there is some, still uses it. Mirror the work's `where`, so
 * the check finds what the work would.
 */
export async function anyRow(db: Database, text: string, ...params: unknown[]): Promise<boolean> {
  return (await withDbRetry(() => db.query(sql(`${text} LIMIT 1`, ...params)))).length > 0;
}
