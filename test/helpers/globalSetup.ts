import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/db/Database";
import { migrate } from "../../src/db/migrate";

/**
 * Brings the compiled CLI (dist/, which tests that spawn `rapport` run) up to date once, before the
 * test files start: otherwise after an edit in src/ every worker's first spawn would rebuild at once.
 * Drops test databases a crashed earlier run left on the PostgreSQL server: only those whose creating
 * process is gone (names carry the pid, `rapport_test_<pid>_…`; another run of the suite on the same
 * machine, a second checkout or a developer's watch mode, must keep its databases).
 * Then migrates one template database per dialect, which freshDatabaseUrl copies for every test.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const buildScript = new URL("../../scripts/build.mjs", import.meta.url).href; // plain JS, typed by what we call
  const { ensureBuild } = (await import(buildScript)) as { ensureBuild(): Promise<string> };
  await ensureBuild();

  const server = process.env.TEST_DATABASE_URL;
  const folder = mkdtempSync(join(tmpdir(), "rapport-template-"));
  let sqliteTemplate = "";
  if (!server?.startsWith("postgres")) { // the PostgreSQL run may be on a Node.js better-sqlite3 was not built for
    sqliteTemplate = join(folder, "template.db");
    writeFileSync(sqliteTemplate, "");
    await migrated(`file:${sqliteTemplate}`);
  }
  project.provide("sqliteTemplate", sqliteTemplate);

  let postgresTemplate = "";
  if (server?.startsWith("postgres")) {
    await dropAbandoned(server);
    postgresTemplate = `rapport_test_${process.pid}_template`;
    await admin(server, `CREATE DATABASE ${postgresTemplate}`);
    const url = new URL(server);
    url.pathname = `/${postgresTemplate}`;
    await migrated(url.toString());
  }
  project.provide("postgresTemplate", postgresTemplate);

  return async () => {
    rmSync(folder, { recursive: true, force: true });
    if (server && postgresTemplate) await admin(server, `DROP DATABASE IF EXISTS ${postgresTemplate} WITH (FORCE)`).catch(() => undefined);
  };
}

/** Applies every migration to the database at `url` and closes it (a template must have no connections). */
async function migrated(url: string): Promise<void> {
  const db = await openDatabase(url);
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
}

async function dropAbandoned(server: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'rapport_test_%'");
    for (const r of rows) {
      const pid = Number(/^rapport_test_(\d+)_/.exec(r.datname as string)?.[1]);
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) continue;
      await client.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

async function admin(server: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}
