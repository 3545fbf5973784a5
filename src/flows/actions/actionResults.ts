import { deleteInBatches } from "../../db/deleteInBatches";
import type { Database } from "../../db/Database";
import type { Tx } from "../../db/lockContact";

/** One action result to store: the step key it answers, whose it is and what it said. */
export interface ActionResultRow {
  key: string;
  contactId: string;
  action: string;
  result: unknown;
}

/**
 * What an earlier run of the same turn stored for this step, if anything (`found: false` when the
 * action has not acted yet). A turn that lost the version check is run again on fresh state; the
 * action must answer what it answered then, or the re-run takes another path (issue 13).
 */
export async function storedActionResult(db: Database, key: string): Promise<{ found: true; value: unknown } | { found: false }> {
  const row = await db.prisma.actionResult.findUnique({ where: { key }, select: { result: true } });
  return row ? { found: true, value: JSON.parse(row.result) as unknown } : { found: false };
}

/**
 * Stores an action's result in `tx`, the transaction that makes its effect, so the effect and its
 * answer commit together or not at all. Storing the same key again keeps the first answer.
 */
export async function storeActionResult(tx: Tx | Database["prisma"], row: ActionResultRow): Promise<void> {
  await tx.actionResult.upsert({
    where: { key: row.key },
    create: { key: row.key, contactId: row.contactId, action: row.action, result: JSON.stringify(row.result ?? null) },
    update: {},
  });
}

/** How long results are kept: a turn can be redelivered for a day (Telegram keeps updates 24 h), so a week is ample. */
export const ACTION_RESULT_DAYS = 7;

/** Removes results older than ACTION_RESULT_DAYS, in batches (the sweeper's task). Returns how many. */
export async function purgeActionResults(db: Database, now: Date): Promise<number> {
  const before = new Date(now.getTime() - ACTION_RESULT_DAYS * 86_400_000);
  // Plain statements: the sweeper runs this every minute in every process (see db/anyRow).
  return deleteInBatches(db, "action_results", `"key"`, "created_at < ?", [before]);
}
