import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "./Database";
import type { SqlReader } from "./openReader";
import { RapportError } from "../core/errors";
import { sql, type Plan } from "./plan";
import { withDbRetry } from "./retry";

/** Where the checked-in SQL lives: prisma/migrations/<dialect>/NNNN_name.sql. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

/** A migration that was applied with different text than the file now has. */
export class MigrationDriftError extends RapportError {
  readonly code = "rapport_migration_drift";
  constructor(readonly migration: string) {
    super(`migration ${migration} was applied with different contents than the file has now; migrations are append-only: restore the file and add a new migration instead`);
  }
}

interface MigrationFile { name: string; text: string; checksum: string }

function readMigrations(dialect: string, dir = MIGRATIONS_DIR): MigrationFile[] {
  const folder = join(dir, dialect);
  return readdirSync(folder).filter((f) => f.endsWith(".sql")).sort().map((name) => {
    const text = readFileSync(join(folder, name), "utf8");
    return { name, text, checksum: createHash("sha256").update(text).digest("hex") };
  });
}

/** Splits a migration file into statements; Prisma-generated SQL ends every statement with `;`. */
function statementsOf(text: string): string[] {
  return text.split(/;\s*(?:\n|$)/).map((s) => s.replace(/^\s*--.*$/gm, "").trim()).filter(Boolean);
}

/** Fixed key for pg_advisory_lock: several instances starting together migrate once, in turn. */
const MIGRATION_LOCK_KEY = 72_617_001;

/**
 * Applies pending migrations, each in its own transaction, and returns the names applied. On
 * PostgreSQL each transaction first takes a transaction-scoped advisory lock, so several instances
 * starting together apply every migration once, in turn; SQLite serialises writers itself
 * (BEGIN IMMEDIATE). Refuses to start when an applied migration's file was edited afterwards.
 */
export async function migrate(db: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = readMigrations(db.dialect, dir);
  const lock = db.dialect === "postgresql";
  // Retried: another process (a second `rapport` command on the same SQLite file) may hold the lock.
  // Unbounded: an index over a large table, or waiting for another instance's migration, can take minutes.
  await withDbRetry(() => db.run(ensureTablePlan(lock), { unbounded: true }));
  const applied: string[] = [];
  for (const file of files) {
    if (await withDbRetry(() => db.run(applyPlan(file, lock), { unbounded: true }))) applied.push(file.name);
  }
  return applied;
}

function* takeLock(lock: boolean): Plan<void> {
  if (lock) yield sql("SELECT pg_advisory_xact_lock(?::bigint)", MIGRATION_LOCK_KEY);
}

function* ensureTablePlan(lock: boolean): Plan<void> {
  yield* takeLock(lock);
  yield sql(`CREATE TABLE IF NOT EXISTS "_rapport_migrations" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TEXT NOT NULL)`);
}

function* applyPlan(file: MigrationFile, lock: boolean): Plan<boolean> {
  yield* takeLock(lock);
  const rows = yield sql(`SELECT "checksum" FROM "_rapport_migrations" WHERE "name" = ?`, file.name);
  if (rows.length > 0) {
    if (rows[0]!.checksum !== file.checksum) throw new MigrationDriftError(file.name);
    return false;
  }
  for (const statement of statementsOf(file.text)) yield sql(statement);
  yield sql(`INSERT INTO "_rapport_migrations" ("name", "checksum", "applied_at") VALUES (?, ?, ?)`, file.name, file.checksum, new Date().toISOString());
  return true;
}

/**
 * Whether migrations are waiting to be applied, read without writing (no table is created, no lock is
 * taken): read-only commands check this and migrate, through the full database, only when needed.
 */
export async function migrationsPending(reader: SqlReader, dir = MIGRATIONS_DIR): Promise<boolean> {
  const names = readdirSync(join(dir, reader.dialect)).filter((f) => f.endsWith(".sql"));
  let applied: Set<unknown>;
  try {
    applied = new Set((await reader.query(sql(`SELECT "name" FROM "_rapport_migrations"`))).map((r) => r.name));
  } catch {
    return true; // no migrations table yet: a new database
  }
  return names.some((n) => !applied.has(n));
}
