import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

const PREFIX = "rapport_test_";

/**
 * A fresh database URL for one test: a new SQLite file, or — when TEST_DATABASE_URL names a
 * PostgreSQL server (`npm test` runs the suite both ways) — a new, empty database on that server.
 */
export async function freshDatabaseUrl(): Promise<string> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server || server.startsWith("file:")) {
    // An empty file is an empty SQLite database: commands other than `start` refuse a missing one, as
    // they would refuse a PostgreSQL database that was never created.
    const file = join(mkdtempSync(join(tmpdir(), "rapport-test-")), "test.db");
    writeFileSync(file, "");
    return `file:${file}`;
  }
  const name = `${PREFIX}${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by freshDatabaseUrl (PostgreSQL only; SQLite files live in the temp folder). */
export async function dropDatabase(url: string): Promise<void> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server || !url.startsWith("postgres")) return;
  const name = new URL(url).pathname.slice(1);
  if (!name.startsWith(PREFIX)) return;
  await admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
}

async function admin(server: string, statement: string) {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Which database the suite runs against, for test names. */
export const testDialect = process.env.TEST_DATABASE_URL?.startsWith("postgres") ? "postgresql" : "sqlite";
