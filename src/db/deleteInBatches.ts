import type { Database } from "./Database";
import { sqlWith } from "./plan";
import { withDbRetry } from "./retry";

/** Rows one purge statement deletes at most. */
export const PURGE_BATCH = 1_000;

/**
 * Deletes the rows of `table` that `where` picks, `batch` at a time, each batch its own short
 * statement; returns how many went. Why: the sweeper's purges run as plain statements on the hot
 * connection (issue 17: no Prisma for periodic work), where PostgreSQL statements time out after
 * seconds (PG_LIMITS.hotStatementMs). One DELETE of a large backlog (the first purge after an
 * upgrade, a week of sent replies) could outlast that, roll back and fail again every minute, and
 * `RETURNING` would have carried every deleted id into memory; a batch does neither. `key` is the
 * table's primary key column (already quoted where it must be).
 */
export async function deleteInBatches(db: Database, table: string, key: string, where: string, params: unknown[] = [], batch = PURGE_BATCH): Promise<number> {
  const text = `DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${Math.trunc(batch)}) RETURNING ${key}`;
  let removed = 0;
  for (;;) {
    const gone = (await withDbRetry(() => db.query(sqlWith(text, params)))).length;
    removed += gone;
    if (gone < batch) return removed;
  }
}
