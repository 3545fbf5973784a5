/**
 * Whether better-sqlite3's native module loads in this Node.js. It is built for the Node.js that ran
 * `npm install`; CI's PostgreSQL run is on another (Node 24, see scripts/test.mjs), where the few
 * tests that need an SQLite file of their own even on PostgreSQL (the import's order grouping) are
 * left to the SQLite run, which has them.
 */
export async function nativeSqliteLoads(): Promise<boolean> {
  try {
    const { default: BetterSqlite3 } = await import("better-sqlite3");
    new BetterSqlite3(":memory:").close();
    return true;
  } catch {
    return false;
  }
}
