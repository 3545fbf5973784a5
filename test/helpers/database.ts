import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { inject } from "vitest";

const PREFIX = "rapport_test_";

/** What globalSetup made once per run: databases with every migration applied, to copy from. */
declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated SQLite file, copied for each fresh database. */
    sqliteTemplate: string;
    /** A migrated PostgreSQL database, used as the TEMPLATE of each fresh database. */
    postgresTemplate: string;
  }
}

/**
 * A fresh database URL for one test: a new SQLite file, or — when TEST_DATABASE_URL names a
 * PostgreSQL server (`npm test` runs the suite both ways) — a new database on that server.
 *
 * It comes with every migration applied, copied from the template globalSetup migrated once per
 * run: migrating each of the suite's ~1,000 databases again cost about a second each on PostgreSQL.
 * `empty: true` gives a database with nothing in it, for tests of migrating and of refusing one.
 * PostgreSQL test databases commit without waiting for the disk (synchronous_commit off: the tests
 * kill Rapport, never the server), which makes a commit ~1 ms instead of ~8.
 */
export async function freshDatabaseUrl(options: { empty?: boolean } = {}): Promise<string> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server || server.startsWith("file:")) {
    // An empty file is an empty SQLite database: commands other than `start` refuse a missing one, as
    // they would refuse a PostgreSQL database that was never created.
    const file = join(mkdtempSync(join(tmpdir(), "rapport-test-")), "test.db");
    const template = options.empty ? undefined : injected("sqliteTemplate");
    if (template) copyFileSync(template, file);
    else writeFileSync(file, "");
    return `file:${file}`;
  }
  const name = `${PREFIX}${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const template = options.empty ? undefined : injected("postgresTemplate");
  await admin(server, [`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ""}`, `ALTER DATABASE ${name} SET synchronous_commit = off`]);
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
  await admin(server, [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]).catch(() => undefined);
}

/** What globalSetup provided, or undefined when the file runs without it (a script importing helpers). */
function injected(key: "sqliteTemplate" | "postgresTemplate"): string | undefined {
  try {
    return inject(key) || undefined;
  } catch {
    return undefined;
  }
}

async function admin(server: string, statements: string[]) {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Which database the suite runs against, for test names. */
export const testDialect = process.env.TEST_DATABASE_URL?.startsWith("postgres") ? "postgresql" : "sqlite";
