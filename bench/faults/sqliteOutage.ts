import BetterSqlite3 from "better-sqlite3";

/**
 * Makes a SQLite database unusable for writing while the returned function is not called: another
 * connection holds the write lock (`BEGIN EXCLUSIVE`), as a backup tool, a migration or a stuck
 * process would. A local file cannot be "unreachable" like a server; a held lock is the SQLite fault
 * Rapport can meet in production, and every write it makes then fails with SQLITE_BUSY (its hot path
 * at once, Prisma after its 5 s busy timeout), so DB_RETRY_SECONDS (30 s) runs out in a 60 s outage.
 * In WAL mode readers go on reading. Chosen over chmod/unlinking: an open file's permissions do not
 * matter to a process that has it open, and removing it would lose data rather than delay it.
 */
export function lockSqlite(path: string): () => void {
  const db = new BetterSqlite3(path, { timeout: 10_000 });
  db.exec("BEGIN EXCLUSIVE");
  return () => {
    db.exec("COMMIT");
    db.close();
  };
}
