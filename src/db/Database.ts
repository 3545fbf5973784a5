import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import type pg from "pg";
import type { PrismaClient as SqlitePrismaClient } from "./generated/sqlite/client";
import { ConfigError } from "../core/errors";
import type { Plan, Row, Statement } from "./plan";
import { pgLeadership, soleLeadership, type Leadership } from "./Leadership";
import { queryCompilerOptions } from "./queryCompiler";
import { lazyPrisma } from "./lazyPrisma";

/** The two databases Rapport supports; `DATABASE_URL`'s scheme picks one. */
export type Dialect = "sqlite" | "postgresql";

/**
 * The Prisma client type domains program against. Both generated clients expose the same models;
 * the SQLite one's type stands for both (a Prisma 7 client is generated per provider).
 */
export type Prisma = SqlitePrismaClient;

/**
 * An open database: Prisma for everything that reads like domain code, plus `run(plan)` / `query()`
 * for the hot path's few, large statements (group commit). On SQLite both use the same file (two
 * connections); on PostgreSQL the hot path has its own small pool (see openPostgres).
 */
export interface Database {
  readonly dialect: Dialect;
  /**
   * Prisma, loaded and connected on its first call (lazyPrisma.ts: ~20 MB a chat-only process never
   * needs). Code that runs in every process, idle or not (start-up, the sweeper's and pollers' checks
   * for work), uses `run`/`query` instead, so that such a process never loads it.
   */
  readonly prisma: Prisma;
  /** Runs a plan as one transaction on the driver Prisma itself uses underneath. */
  run<T>(plan: Plan<T>, options?: RunOptions): Promise<T>;
  /** Runs one statement on its own (it is its own transaction): one round trip on PostgreSQL. */
  query(statement: Statement): Promise<Row[]>;
  /**
   * Answers whether the database takes a query right now, within `timeoutMs` (readiness checks).
   * On PostgreSQL it uses a connection of its own, so busy pools do not make a healthy server look down.
   */
  ping(timeoutMs: number): Promise<boolean>;
  /**
   * Leadership of cluster-wide work under advisory lock `key` (LEADER_LOCKS): on PostgreSQL one
   * instance at a time, on a connection of its own; on SQLite always this process. `close` releases it.
   */
  leadership(key: number): Leadership;
  close(): Promise<void>;
}

/** How a plan runs. */
export interface RunOptions {
  /** No statement timeout (PostgreSQL): migrations build indexes over whole tables and may wait on another instance's lock. */
  unbounded?: boolean;
}

/**
 * How long a PostgreSQL connection may take to open and a statement to run (issue #13): a server
 * that stops answering, or a half-open connection after a network fault, must fail the statement
 * so it is retried on a fresh connection, not hang the batched commits for ever. Statements are
 * cancelled by the server (`statement_timeout`) and, when it cannot be heard, by the client a little
 * later; a transaction left idle is ended by the server; TCP keep-alive finds dead idle connections.
 */
export interface PgLimits {
  /** Opening a connection (and waiting for one from a pool). */
  connectMs: number;
  /** A statement from domain code (Prisma). */
  statementMs: number;
  /** A statement of the hot path (group commit): a batch takes milliseconds. */
  hotStatementMs: number;
  /** A transaction open with no statement running (a client that died mid-transaction holds its locks until then). */
  idleInTransactionMs: number;
  /** Idle time before the first TCP keep-alive probe. */
  keepAliveDelayMs: number;
}

/** The limits Rapport runs with; tests shorten them. */
export const PG_LIMITS: PgLimits = { connectMs: 5_000, statementMs: 60_000, hotStatementMs: 10_000, idleInTransactionMs: 60_000, keepAliveDelayMs: 10_000 };

/** How much later than the server the client gives up on a statement: the server's cancellation, when it can send one, is the clearer error. */
const CLIENT_GRACE_MS = 2_000;

/** Options for openDatabase. */
export interface OpenOptions {
  /** PostgreSQL limits that differ from PG_LIMITS. */
  pgLimits?: Partial<PgLimits>;
}

/** Picks the dialect from a DATABASE_URL, or explains what is accepted. */
export function dialectOf(url: string): Dialect {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new ConfigError("DATABASE_URL", `cannot tell the database from "${url}"`, "start it with file: (SQLite) or postgresql:// (PostgreSQL)");
}

/** Resolves `file:./data/rapport.db` against the working directory (Prisma's own rule for SQLite URLs). */
export function sqlitePath(url: string, cwd = process.cwd()): string {
  const path = url.slice("file:".length).split("?")[0] ?? "";
  if (path === ":memory:") return path;
  return resolve(cwd, path);
}

/**
 * Opens the database named by `url`, creating the SQLite file and its folder when needed. Only the
 * dialect's driver is loaded; its Prisma adapter and generated client (each client carries its own
 * query compiler, megabytes of Wasm) load with the first Prisma call: a command that opens no
 * database loads none, and one that only uses `run`/`query` (an idle or chat-only `rapport start`)
 * none either.
 */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  if (dialectOf(url) === "sqlite") {
    const { default: BetterSqlite3 } = await import("better-sqlite3");
    return openSqlite(url, BetterSqlite3);
  }
  const { default: pgModule } = await import("pg");
  return openPostgres(url, pgModule, { ...PG_LIMITS, ...options.pgLimits });
}

function openSqlite(url: string, BetterSqlite3: typeof import("better-sqlite3")): Database {
  const path = sqlitePath(url);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  // The hot-path connection never waits for a lock (busy_timeout 0): its transactions are synchronous,
  // so the only lock it can meet is another process's, and SQLITE_BUSY is retried asynchronously by
  // withDbRetry instead of blocking the event loop.
  const hot = new BetterSqlite3(path, { timeout: 0 });
  hot.pragma("journal_mode = WAL");
  hot.pragma("synchronous = NORMAL");
  hot.pragma("foreign_keys = ON");
  // Bounded memory: a 4 MB page cache and no memory map. Issue 17 measured the bench's CPU per
  // message the same with 8 MB and no map as with the 32 MB cache and 256 MB map used before (101-104
  // µs against 105-112), for 10-15 MB less peak RSS, and the same again with 4 MB against 8 (whole
  // bench process 8.3/7.9 s against 8.4/7.8 s side by side) for ~5 MB less; a mapped file counts in
  // RSS as it is read (a 1,000,000-row import showed 305 MB of file pages). What the hot path touches
  // per message (indexes' upper levels and last leaves) fits; the operating system still caches the
  // file, outside the process, so a miss is a pread, not a disk read.
  // A WAL checkpoint every ~64 MB of changes rather than SQLite's 4 MB: the checkpoint runs inside
  // whichever commit crosses the mark, so fewer of them means fewer slow commits, and a page the hot
  // path rewrites in every batch (an index's last leaf) is copied to the database once per
  // checkpoint. Issue 17's bench, side by side: 114-139 µs of CPU per message against 130-161 with a
  // checkpoint every 16 MB. The WAL is a file read with pread: its size is disk and OS cache, not
  // this process's memory.
  hot.pragma("cache_size = -4000");
  hot.pragma("mmap_size = 0");
  hot.pragma("wal_autocheckpoint = 16000");
  // Statement journals in memory. Inside a transaction, a statement that writes several rows and may
  // abort (the hot path's multi-row INSERTs, upserts and UPDATEs) journals the pages it changes so it
  // can be undone alone; past 64 KiB SQLite spilled that journal to a file it created, wrote and
  // unlinked in /var/tmp, about once per group commit. Issue 17, goal 0 (bench/README): a bench run
  // unlinked 540 files before, 37 after; the engine alone (2,000 customers, core path) wrote 5.1 kB
  // per message instead of 9.4 and made 2.5 write calls instead of 4.1. A statement's journal holds
  // at most the pages it changes, freed when the statement ends. This also puts the connection's
  // temporary tables and indexes (DISTINCT, a materialized subquery) in memory; the hot path reads
  // by index. Prisma's connection is unchanged.
  hot.pragma("temp_store = MEMORY");
  const statements = new Map<string, Prepared>();
  const prepare = (text: string): Prepared => {
    let p = statements.get(text);
    if (!p) {
      p = prepared(hot.prepare(text));
      if (statements.size > 500) statements.clear(); // bounded: batch sizes vary the SQL text
      statements.set(text, p);
    }
    return p;
  };
  const exec = (st: Statement): Row[] => {
    const { s, row } = prepare(st.sql);
    // A loop, not `map`: a batch binds a few thousand values, and this runs for every statement.
    const given = st.params;
    const params = new Array<unknown>(given.length);
    for (let i = 0; i < given.length; i++) params[i] = toSqliteValue(given[i]);
    if (!s.reader) {
      s.run(...params);
      return [];
    }
    if (!row) return s.all(...params) as Row[];
    const raw = s.all(...params) as unknown[][];
    const rows = new Array<Row>(raw.length);
    for (let i = 0; i < raw.length; i++) rows[i] = row(raw[i]!);
    return rows;
  };
  // One transaction function for every plan: better-sqlite3 builds a wrapper (five variants) per
  // `transaction()` call, which the hot path paid twice per batch.
  const runPlan = hot.transaction(<T>(plan: Plan<T>): T => {
    let step = plan.next();
    while (!step.done) step = plan.next(exec(step.value));
    return step.value;
  });
  const prisma = lazyPrisma(async () => {
    const [{ PrismaBetterSqlite3 }, { PrismaClient }] = await Promise.all([import("@prisma/adapter-better-sqlite3"), import("./generated/sqlite/client")]);
    // `as object`: the query compiler option (queryCompiler.ts) is Prisma's `__internal`, not in the client's types.
    return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${path}`, timeout: 5000 }), ...(queryCompilerOptions() as object) });
  });
  return {
    dialect: "sqlite",
    get prisma() { return prisma.client; },
    run<T>(plan: Plan<T>): Promise<T> {
      try {
        return Promise.resolve(runPlan.immediate(plan) as T);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    query(statement: Statement): Promise<Row[]> {
      try {
        return Promise.resolve(exec(statement));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async ping(): Promise<boolean> {
      try {
        prepare("SELECT 1").s.get(); // a local file: answers at once or fails (disk gone, file removed)
        return true;
      } catch {
        return false;
      }
    },
    leadership: () => soleLeadership,
    async close() {
      await prisma.disconnect();
      hot.close();
    },
  };
}

/** A prepared statement of the hot connection and, for one that returns rows, how a row becomes an object. */
interface Prepared {
  s: BetterSqlite3.Statement;
  row: ((values: unknown[]) => Row) | undefined;
}

/**
 * Reads rows as arrays and makes each object with one literal compiled for the statement's columns.
 * better-sqlite3 builds a row object property by property in C++, which cost ~18 µs per row of the
 * receive batch's 18-column contact lookup against ~9 µs this way (issue 17, measured on 20,000
 * contacts, 100 keys a statement); the objects are the same (a repeated column name: the last one).
 */
function prepared(s: BetterSqlite3.Statement): Prepared {
  if (!s.reader) return { s, row: undefined };
  const names = s.columns().map((c) => c.name);
  if (names.includes("__proto__")) return { s, row: undefined }; // in a literal that name sets the prototype: leave it to the driver
  s.raw(true);
  const row = new Function("v", `return { ${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(", ")} };`) as (values: unknown[]) => Row;
  return { s, row };
}

/**
 * SQLite keeps DateTime columns as text, compared as text: write them exactly as Prisma's adapter
 * does ("…T15:51:28.123+00:00", not toISOString's "…Z"), or rows written by the two paths in the same
 * millisecond would sort out of order and range queries would miss them.
 */
export function toSqliteTimestamp(d: Date): string {
  const iso = d.toISOString(); // always ends in "Z"; slicing it off costs less than a RegExp replace (hot path: ~1% of the bench's CPU)
  return `${iso.slice(0, -1)}+00:00`;
}

/** The last instant converted, and its text: a batch passes the same `now` to many rows. */
let lastTime = NaN;
let lastText = "";

function toSqliteValue(v: unknown): unknown {
  if (typeof v !== "object") return typeof v === "boolean" ? (v ? 1 : 0) : v === undefined ? null : v;
  if (v instanceof Date) {
    const t = v.getTime();
    if (t !== lastTime) { lastText = toSqliteTimestamp(v); lastTime = t; }
    return lastText;
  }
  return v; // null, a Buffer
}

function openPostgres(url: string, pg: typeof import("pg").default, limits: PgLimits): Database {
  /** `timestamp(3)` columns hold UTC wall time (Prisma's convention); read them back as UTC. */
  const utcTypes = {
    getTypeParser(oid: number, format?: "text" | "binary") {
      if (oid === 1114) return (s: string) => new Date(s.replace(" ", "T") + "Z");
      return pg.types.getTypeParser(oid, format as "text");
    },
  };
  // pg-pool applies `connectionTimeoutMillis` to waiting for a free client as well as to opening one,
  // so a burst queued behind a full pool (1,000 awards at once on 10 connections) failed as
  // "timeout exceeded when trying to connect", as if the server were gone. The connect bound goes on
  // each connection (pg's own client option); the queue waits as long as the statements it waits for.
  const connectMs = limits.connectMs;
  class BoundedClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super({ ...(typeof config === "string" ? { connectionString: config } : config), connectionTimeoutMillis: connectMs });
    }
  }
  const bounded = (statementMs: number): pg.PoolConfig => ({
    connectionString: url,
    Client: BoundedClient,
    connectionTimeoutMillis: statementMs + CLIENT_GRACE_MS + connectMs,
    statement_timeout: statementMs,
    query_timeout: statementMs + CLIENT_GRACE_MS,
    idle_in_transaction_session_timeout: limits.idleInTransactionMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: limits.keepAliveDelayMs,
  });
  const pool = new pg.Pool({ ...bounded(limits.statementMs), max: 10 });
  // The hot path's own connections. Its statements are prepared once per connection and their plans
  // cached (engine/pgTurnStatements.ts); a plan made while tables were nearly empty would scan them
  // whole forever after. Every lookup the hot path makes has an index, so sequential scans are off
  // here, and JIT too (disabled nodes inflate cost estimates past JIT's threshold). Prisma's pool
  // keeps the server defaults.
  const hotPool = new pg.Pool({ ...bounded(limits.hotStatementMs), max: 4, options: "-c enable_seqscan=off -c jit=off" });
  // Readiness checks: one connection of their own, idle ones closed, bounded by the caller's timeout.
  const probePool = new pg.Pool({ ...bounded(limits.hotStatementMs), max: 1, idleTimeoutMillis: 30_000 });
  // A connection that dies (server restart, network blip) must not crash the process: pg emits
  // 'error' on the client, and a checked-out client has no listener of the pool's. The query that
  // was running fails instead, and withDbRetry retries it on a fresh connection.
  for (const p of [pool, hotPool, probePool]) {
    p.on("error", () => { /* an idle client died; the next checkout reconnects */ });
    p.on("connect", (client) => client.on("error", () => { /* surfaced through the failing query */ }));
  }
  const prisma = lazyPrisma(async () => {
    const [{ PrismaPg }, { PrismaClient }] = await Promise.all([import("@prisma/adapter-pg"), import("./generated/postgresql/client")]);
    return new PrismaClient({ adapter: new PrismaPg(pool), ...(queryCompilerOptions() as object) }) as unknown as Prisma;
  });
  const leaderships: Leadership[] = [];
  const leaderConfig: pg.ClientConfig = {
    connectionString: url, connectionTimeoutMillis: connectMs, statement_timeout: limits.hotStatementMs, query_timeout: limits.hotStatementMs + CLIENT_GRACE_MS,
    keepAlive: true, keepAliveInitialDelayMillis: limits.keepAliveDelayMs,
  };
  return {
    dialect: "postgresql",
    get prisma() { return prisma.client; },
    async run<T>(plan: Plan<T>, options: RunOptions = {}): Promise<T> {
      const client = await hotPool.connect();
      // An unbounded plan still has a client-side limit, a day: pg cannot switch its read timeout off per query.
      const queryTimeout = options.unbounded ? { query_timeout: 86_400_000 } : {};
      let broken = false;
      try {
        await client.query("BEGIN");
        if (options.unbounded) await client.query("SET LOCAL statement_timeout = 0");
        let step = plan.next();
        while (!step.done) {
          const res = await client.query({ text: toPgPlaceholders(step.value.sql), values: step.value.params.map(toPgValue), types: utcTypes, ...queryTimeout } as pg.QueryConfig);
          step = plan.next(res.rows as Row[]);
        }
        await client.query("COMMIT");
        return step.value;
      } catch (error) {
        // The server never answered: the connection is dead or stalled, and a ROLLBACK would only
        // wait its turn behind the lost statement. Dropping the connection ends the transaction.
        if (isReadTimeout(error)) broken = true;
        else await client.query("ROLLBACK").catch(() => { broken = true; });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async query(statement: Statement): Promise<Row[]> {
      const res = await hotPool.query({ name: statement.name, text: toPgPlaceholders(statement.sql), values: statement.params.map(toPgValue), types: utcTypes });
      return res.rows as Row[];
    },
    async ping(timeoutMs: number): Promise<boolean> {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
      try {
        return await Promise.race([probePool.query({ text: "SELECT 1", query_timeout: timeoutMs } as pg.QueryConfig).then(() => true, () => false), late]);
      } finally {
        clearTimeout(timer);
      }
    },
    leadership(key: number): Leadership {
      const l = pgLeadership(key, { pg, config: leaderConfig, checkMs: limits.hotStatementMs });
      leaderships.push(l);
      return l;
    },
    async close() {
      await Promise.all(leaderships.map((l) => l.release()));
      await prisma.disconnect();
      await Promise.all([pool, hotPool, probePool].map((p) => p.end().catch(() => undefined)));
    },
  };
}

/** pg's own client-side timeout ("Query read timeout"): the server did not answer in time. */
function isReadTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === "Query read timeout";
}

function toPgValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  return v === undefined ? null : v;
}

/** Rewrites `?` placeholders to `$1, $2, …`. Rapport's SQL never has a literal `?` in a string. */
export function toPgPlaceholders(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}
