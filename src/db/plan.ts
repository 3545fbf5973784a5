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

/**
 * Runs `statement` on `rows` in parts whose sizes are powers of two, largest first, none over
 * `largest` (37 rows: 32, 4, 1), and returns the rows they all return (RETURNING), in order.
 *
 * Why (issue 17, bench peak ≤ 103 MB): a multi-row INSERT's text varies with its row count, and
 * SQLite's hot connection prepares and caches each text (Database.ts). A prepared statement holds
 * ~100 bytes per parameter, so a batch size of every count up to hundreds (a backlog, or the bench's
 * 1,000 msg/s run on a loaded machine) kept 400 statements, 128,000 parameters: heaptrack put 20-26 MB
 * of the process's peak in SQLite's prepared programs. In parts, each kind of row has at most
 * log2(largest) + 1 texts (a few hundred kB for all of them), for one more statement per part.
 */
export function* inParts<T>(rows: T[], statement: (part: T[]) => Statement, largest = 256): Plan<Row[]> {
  const out: Row[] = [];
  for (let start = 0; start < rows.length;) {
    const left = rows.length - start;
    const size = left >= largest ? largest : 2 ** Math.floor(Math.log2(left));
    const returned = yield statement(rows.slice(start, start + size));
    for (const r of returned) out.push(r);
    start += size;
  }
  return out;
}

/** placeholders() already built: the hot path asks for the same few shapes on every batch. */
const made = new Map<number, string>();
