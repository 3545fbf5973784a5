import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Dialect } from "../src/db/Database";

/** The PostgreSQL server the bench creates its databases on, unless BENCH_PG_URL names another. */
export const DEFAULT_PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres";

/** A database created for one measurement; `dispose` deletes it (after the app using it closed). */
export interface BenchDatabase {
  url: string;
  dispose(): Promise<void>;
}

/**
 * A new, empty database: a SQLite file in a new temp folder, or a `rapport_bench_<random>` database
 * on `pgServer`. Every measurement starts from empty tables so runs are comparable and the previous
 * run's rows (and its index pages) do not slow the next.
 */
export async function freshDatabase(dialect: Dialect, pgServer: string): Promise<BenchDatabase> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "rapport-bench-"));
    return { url: `file:${join(dir, "bench.db")}`, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `rapport_bench_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin(pgServer, `CREATE DATABASE ${name}`);
  const url = new URL(pgServer);
  url.pathname = `/${name}`;
  return { url: url.toString(), dispose: () => admin(pgServer, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Why the PostgreSQL server cannot be used (the bench then skips it), or undefined when it can. */
export async function postgresProblem(pgServer: string): Promise<string | undefined> {
  try {
    await admin(pgServer, "SELECT 1");
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  }
}

/**
 * pg is loaded here, on first use, not at the top: a child measuring SQLite never needs it, and on
 * Node 20 loading pg also loads Node's undici and compiles its HTTP parser's Wasm (pg's Cloudflare
 * check reads the lazy global `Response`): 1.7 MB of the SQLite child's heap after a collection, plus
 * Wasm code, that `rapport start` on SQLite does not carry (issue 17).
 */
async function admin(server: string, statement: string): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
