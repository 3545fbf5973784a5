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

/**
 * The values of an SQLite `IN (?, …)` list, padded with repeats of the last one to one of a few
 * lengths (8, 16, 32, …, 512, then multiples of 512), so that the statement's text, which the hot
 * connection prepares and caches per text (Database.ts), takes a few shapes instead of one per count.
 * Issue 17: the CSV import's lists of 1-500 order ids and contacts filled that cache with hundreds
 * of large prepared statements, tens of MB of memory outside the JS heap. A repeated value changes
 * nothing in `IN`. `values` must not be empty (`IN ()` is not SQL).
 */
export function inValues<T>(values: T[]): T[] {
  const n = values.length;
  const size = inListSize(n);
  if (size === n) return values;
  const padded = values.slice();
  const last = values[n - 1]!;
  while (padded.length < size) padded.push(last);
  return padded;
}

/** How many values inValues makes of `n`. */
export function inListSize(n: number): number {
  return n <= 8 ? 8 : n <= 512 ? 2 ** Math.ceil(Math.log2(n)) : Math.ceil(n / 512) * 512;
}

/** `?, ?, ?` for an IN list of `n` values. */
export function listPlaceholders(n: number): string {
  return placeholders(1, n).slice(1, -1);
}

/** placeholders() already built: the hot path asks for the same few shapes on every batch. */
const made = new Map<number, string>();
