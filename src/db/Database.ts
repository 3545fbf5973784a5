import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import type pg from "pg";
import type { PrismaClient as SqlitePrismaClient } from "./generated/sqlite/client";
import { ConfigError } from "../core/errors";
import type { Plan, Row, Statement } from "./plan";

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
  readonly prisma: Prisma;
  /** Runs a plan as one transaction on the driver Prisma itself uses underneath. */
  run<T>(plan: Plan<T>): Promise<T>;
  /** Runs one statement on its own (it is its own transaction): one round trip on PostgreSQL. */
  query(statement: Statement): Promise<Row[]>;
  close(): Promise<void>;
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
 * dialect's driver and generated Prisma client are loaded (each client carries its own query
 * compiler, megabytes of Wasm): a process holds one, and a command that opens no database none.
 */
export async function openDatabase(url: string): Promise<Database> {
  if (dialectOf(url) === "sqlite") {
    const [{ default: BetterSqlite3 }, { PrismaBetterSqlite3 }, { PrismaClient }] = await Promise.all([
      import("better-sqlite3"), import("@prisma/adapter-better-sqlite3"), import("./generated/sqlite/client")]);
    return openSqlite(url, { BetterSqlite3, PrismaBetterSqlite3, PrismaClient });
  }
  const [{ default: pgModule }, { PrismaPg }, { PrismaClient }] = await Promise.all([
    import("pg"), import("@prisma/adapter-pg"), import("./generated/postgresql/client")]);
  return openPostgres(url, { pg: pgModule, PrismaPg, PrismaClient });
}

interface SqliteModules {
  BetterSqlite3: typeof BetterSqlite3;
  PrismaBetterSqlite3: typeof import("@prisma/adapter-better-sqlite3").PrismaBetterSqlite3;
  PrismaClient: typeof SqlitePrismaClient;
}

function openSqlite(url: string, { BetterSqlite3, PrismaBetterSqlite3, PrismaClient }: SqliteModules): Database {
  const path = sqlitePath(url);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  // The hot-path connection never waits for a lock (busy_timeout 0): its transactions are synchronous,
  // so the only lock it can meet is another process's, and SQLITE_BUSY is retried asynchronously by
  // withDbRetry instead of blocking the event loop.
  const hot = new BetterSqlite3(path, { timeout: 0 });
  hot.pragma("journal_mode = WAL");
  hot.pragma("synchronous = NORMAL");
  hot.pragma("foreign_keys = ON");
  // Bounded memory that spares the hot path disk work: a 32 MB page cache, reads through a 256 MB
  // memory map, and a WAL checkpoint every ~16 MB of changes rather than every 4 MB (the checkpoint
  // runs inside whichever commit crosses the mark, so fewer of them means fewer slow commits).
  hot.pragma("cache_size = -32000");
  hot.pragma("mmap_size = 268435456");
  hot.pragma("wal_autocheckpoint = 4000");
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepare = (text: string) => {
    let s = statements.get(text);
    if (!s) {
      s = hot.prepare(text);
      if (statements.size > 500) statements.clear(); // bounded: batch sizes vary the SQL text
      statements.set(text, s);
    }
    return s;
  };
  const exec = (st: Statement): Row[] => {
    const s = prepare(st.sql);
    const params = st.params.map(toSqliteValue);
    if (s.reader) return s.all(...params) as Row[];
    s.run(...params);
    return [];
  };
  const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${path}`, timeout: 5000 }) });
  return {
    dialect: "sqlite",
    prisma,
    run<T>(plan: Plan<T>): Promise<T> {
      try {
        const result = hot.transaction(() => {
          let step = plan.next();
          while (!step.done) step = plan.next(exec(step.value));
          return step.value;
        }).immediate();
        return Promise.resolve(result);
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
    async close() {
      await prisma.$disconnect();
      hot.close();
    },
  };
}

/**
 * SQLite keeps DateTime columns as text, compared as text: write them exactly as Prisma's adapter
 * does ("…T15:51:28.123+00:00", not toISOString's "…Z"), or rows written by the two paths in the same
 * millisecond would sort out of order and range queries would miss them.
 */
export function toSqliteTimestamp(d: Date): string {
  return d.toISOString().replace(/Z$/, "+00:00");
}

function toSqliteValue(v: unknown): unknown {
  if (v instanceof Date) return toSqliteTimestamp(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === undefined) return null;
  return v;
}

interface PgModules {
  pg: typeof pg;
  PrismaPg: typeof import("@prisma/adapter-pg").PrismaPg;
  PrismaClient: typeof import("./generated/postgresql/client").PrismaClient;
}

function openPostgres(url: string, { pg, PrismaPg, PrismaClient }: PgModules): Database {
  /** `timestamp(3)` columns hold UTC wall time (Prisma's convention); read them back as UTC. */
  const utcTypes = {
    getTypeParser(oid: number, format?: "text" | "binary") {
      if (oid === 1114) return (s: string) => new Date(s.replace(" ", "T") + "Z");
      return pg.types.getTypeParser(oid, format as "text");
    },
  };
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // The hot path's own connections. Its statements are prepared once per connection and their plans
  // cached (engine/pgTurnStatements.ts); a plan made while tables were nearly empty would scan them
  // whole forever after. Every lookup the hot path makes has an index, so sequential scans are off
  // here, and JIT too (disabled nodes inflate cost estimates past JIT's threshold). Prisma's pool
  // keeps the server defaults.
  const hotPool = new pg.Pool({ connectionString: url, max: 4, options: "-c enable_seqscan=off -c jit=off" });
  // A connection that dies (server restart, network blip) must not crash the process: pg emits
  // 'error' on the client, and a checked-out client has no listener of the pool's. The query that
  // was running fails instead, and withDbRetry retries it on a fresh connection.
  for (const p of [pool, hotPool]) {
    p.on("error", () => { /* an idle client died; the next checkout reconnects */ });
    p.on("connect", (client) => client.on("error", () => { /* surfaced through the failing query */ }));
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) }) as unknown as Prisma;
  return {
    dialect: "postgresql",
    prisma,
    async run<T>(plan: Plan<T>): Promise<T> {
      const client = await hotPool.connect();
      let broken = false;
      try {
        await client.query("BEGIN");
        let step = plan.next();
        while (!step.done) {
          const res = await client.query({ text: toPgPlaceholders(step.value.sql), values: step.value.params.map(toPgValue), types: utcTypes });
          step = plan.next(res.rows as Row[]);
        }
        await client.query("COMMIT");
        return step.value;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => { broken = true; });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async query(statement: Statement): Promise<Row[]> {
      const res = await hotPool.query({ name: statement.name, text: toPgPlaceholders(statement.sql), values: statement.params.map(toPgValue), types: utcTypes });
      return res.rows as Row[];
    },
    async close() {
      await prisma.$disconnect();
      await Promise.all([pool.end().catch(() => undefined), hotPool.end().catch(() => undefined)]);
    },
  };
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
