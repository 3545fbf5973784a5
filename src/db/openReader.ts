import type { Dialect } from "./Database";
import { dialectOf, sqlitePath, toPgPlaceholders, toSqliteTimestamp } from "./Database";
import type { Row, Statement } from "./plan";

/**
 * Reading the database through its driver alone. A Prisma client costs a command about half a second
 * of CPU before its first row (loading the runtime, compiling its Wasm query compiler, parsing the
 * schema in it), more than the whole budget of a read-only command (issue 17: ≤ 0.4 s for `tickets`,
 * `report`, `contacts history`). A Database is also a SqlReader, so code written against this
 * interface serves the running app and the CLI alike.
 */
export interface SqlReader {
  readonly dialect: Dialect;
  /** One statement with `?` placeholders; Dates are passed as the dialect stores them. */
  query(statement: Statement): Promise<Row[]>;
  close(): Promise<void>;
}

/**
 * Opens a reader on an existing database (the caller checked it is there: checkDatabase). Writes
 * nothing; on PostgreSQL it holds at most two connections.
 */
export async function openReader(url: string): Promise<SqlReader> {
  if (dialectOf(url) === "sqlite") {
    const { default: BetterSqlite3 } = await import("better-sqlite3");
    const db = new BetterSqlite3(sqlitePath(url), { fileMustExist: true, timeout: 5000 });
    return {
      dialect: "sqlite",
      async query(st: Statement) {
        const s = db.prepare(st.sql);
        const params = st.params.map((v) => (v instanceof Date ? toSqliteTimestamp(v) : typeof v === "boolean" ? Number(v) : v ?? null));
        if (s.reader) return s.all(...params) as Row[];
        s.run(...params);
        return [];
      },
      async close() { db.close(); },
    };
  }
  const { default: pg } = await import("pg");
  // `timestamp(3)` columns hold UTC wall time (Prisma's convention); read them back as UTC.
  const types = {
    getTypeParser(oid: number, format?: "text" | "binary") {
      if (oid === 1114) return (s: string) => new Date(s.replace(" ", "T") + "Z");
      return pg.types.getTypeParser(oid, format as "text");
    },
  };
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5000 });
  pool.on("error", () => { /* an idle client died; the next query reconnects */ });
  return {
    dialect: "postgresql",
    async query(st: Statement) {
      const res = await pool.query({ text: toPgPlaceholders(st.sql), values: st.params.map((v) => (v instanceof Date ? v.toISOString() : v ?? null)), types });
      return res.rows as Row[];
    },
    async close() { await pool.end(); },
  };
}

/** A timestamp column's value as a Date: SQLite returns the stored text, PostgreSQL a Date already. */
export function dateOf(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

/** Like dateOf for a nullable column. */
export function maybeDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : dateOf(value);
}
