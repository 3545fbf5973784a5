/**
 * A Plan is a transaction written once for both databases: a generator that yields SQL statements
 * (with `?` placeholders) and receives each statement's rows. SQLite runs it synchronously inside one
 * better-sqlite3 transaction; PostgreSQL runs it over one pooled connection between BEGIN and COMMIT.
 * SQLite's hot-path writes are plans (each Prisma statement costs ~0.25 ms of CPU); PostgreSQL's are
 * single statements (engine/pgTurnStatements.ts), with plans for migrations and rare follow-ups.
 */
export type Row = Record<string, unknown>;

/** One SQL statement. `?` placeholders are rewritten to `$n` for PostgreSQL. */
export interface Statement {
  sql: string;
  params: unknown[];
  /**
   * For SQL whose text never varies: PostgreSQL prepares it once per connection under this name and
   * reuses the plan (planning a large CTE costs more than running it for a small batch).
   */
  name?: string;
}

/** A transaction body: yield statements, get their rows back, return the result. */
export type Plan<T> = Generator<Statement, T, Row[]>;

/** Convenience for building a statement inside a plan: `const rows = yield sql("...", a, b)`. */
export function sql(text: string, ...params: unknown[]): Statement {
  return { sql: text, params };
}

/**
 * A statement with its parameters already in an array: a multi-row insert binds thousands, which as
 * `sql(text, ...params)` would be spread into arguments and collected again.
 */
export function sqlWith(text: string, params: unknown[]): Statement {
  return { sql: text, params };
}

/** `(?,?,?),(?,?,?)` for a multi-row VALUES clause. */
export function placeholders(rows: number, columns: number): string {
  const key = rows * 1024 + columns;
  let text = made.get(key);
  if (text === undefined) {
    const one = `(${Array(columns).fill("?").join(",")})`;
    text = Array(rows).fill(one).join(",");
    if (made.size >= 2048) made.clear(); // bounded: batch sizes vary
    made.set(key, text);
  }
  return text;
}

/** placeholders() already built: the hot path asks for the same few shapes on every batch. */
const made = new Map<number, string>();
