import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A fresh database URL for one test file: a new SQLite file, or — when TEST_DATABASE_URL names a
 * PostgreSQL server (CI runs the suite both ways) — a new, empty database on that server.
 */
export async function freshDatabaseUrl(): Promise<string> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server || server.startsWith("file:")) return `file:${join(mkdtempSync(join(tmpdir(), "rapport-test-")), "test.db")}`;
  const name = `rapport_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Which database the suite runs against, for test names. */
export const testDialect = process.env.TEST_DATABASE_URL?.startsWith("postgres") ? "postgresql" : "sqlite";
