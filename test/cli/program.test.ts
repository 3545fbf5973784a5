/**
 * What each command loads (src/cli/program.ts imports a command's code when it runs): help loads no
 * database driver or channel library, and the read-only commands that must start fast (issue 17:
 * `tickets`, `report`, `contacts history`) read through the driver alone, without a Prisma client
 * or grammY or Bolt. Checked on the compiled command with a module-resolution trace.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/Database";
import { migrate, MIGRATIONS_DIR } from "../../src/db/migrate";
import { sql } from "../../src/db/plan";
import { dropDatabase, freshDatabaseUrl, testDialect } from "../helpers/database";
import { ROOT } from "../helpers/testApp";

const urls: string[] = [];
afterAll(async () => { for (const u of urls) await dropDatabase(u); });

/** Runs `rapport <args>` and returns its exit status and the modules it resolved. */
function traced(args: string[], env: Record<string, string>): { code: number | null; loaded: string[]; stderr: string } {
  const file = join(mkdtempSync(join(tmpdir(), "rapport-trace-")), "modules.txt");
  writeFileSync(file, "");
  const r = spawnSync(process.execPath, ["--import", join(ROOT, "test/helpers/traceImports.mjs"), join(ROOT, "bin/rapport.mjs"), ...args], {
    cwd: ROOT, encoding: "utf8", env: { ...process.env, LOG_LEVEL: "warn", HOT_RELOAD: "false", TRACE_IMPORTS_FILE: file, ...env },
  });
  return { code: r.status, loaded: readFileSync(file, "utf8").split("\n").filter(Boolean), stderr: r.stderr };
}

const loads = (loaded: string[], pattern: RegExp) => loaded.filter((u) => pattern.test(u));
const PRISMA = /@prisma\/|\/src\/db\/generated\/|\/dist\/[^/]+\/client-/;
const CHANNELS = /\/node_modules\/(grammy|@grammyjs|@slack)\//;

describe(`what a command loads (${testDialect})`, () => {
  it("--help loads no database driver, Prisma, channel library, YAML or i18next", () => {
    const r = traced(["tickets", "--help"], {});
    expect(r.code).toBe(0);
    expect(r.loaded.length).toBeGreaterThan(0); // the trace works
    expect(loads(r.loaded, /\/node_modules\/(better-sqlite3|pg|yaml|zod|i18next)\//)).toEqual([]);
    expect(loads(r.loaded, PRISMA)).toEqual([]);
    expect(loads(r.loaded, CHANNELS)).toEqual([]);
  });

  it("tickets, report and contacts history read without a Prisma client or channel library", async () => {
    const url = await freshDatabaseUrl();
    urls.push(url);
    const db = await openDatabase(url);
    try {
      await migrate(db);
      await db.prisma.contact.create({ data: { id: "c-ann", identities: { create: { channel: "terminal", externalId: "ann" } } } });
    } finally {
      await db.close();
    }
    for (const args of [["tickets"], ["report"], ["contacts", "history", "terminal:ann"]]) {
      const r = traced(args, { DATABASE_URL: url });
      expect(r.stderr, args.join(" ")).toBe("");
      expect(r.code, args.join(" ")).toBe(0);
      expect(loads(r.loaded, /\/node_modules\/(better-sqlite3|pg)\//).length, args.join(" ")).toBeGreaterThan(0); // it did read the database
      expect(loads(r.loaded, PRISMA), args.join(" ")).toEqual([]);
      expect(loads(r.loaded, CHANNELS), args.join(" ")).toEqual([]);
    }
  });

  it("on a database with migrations pending, a read-only command migrates it first (through the full database, once), still without Prisma", async () => {
    const url = await freshDatabaseUrl({ empty: true }); // nothing applied
    urls.push(url);
    const first = traced(["tickets"], { DATABASE_URL: url });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(loads(first.loaded, PRISMA)).toEqual([]); // the full database makes Prisma on its first call only (db/lazyPrisma), and migrating makes none
    const db = await openDatabase(url);
    try {
      expect((await db.query(sql(`SELECT name FROM "_rapport_migrations"`))).length).toBe(readdirSync(join(MIGRATIONS_DIR, testDialect)).filter((f) => f.endsWith(".sql")).length);
    } finally {
      await db.close();
    }
    const second = traced(["tickets"], { DATABASE_URL: url });
    expect(loads(second.loaded, PRISMA)).toEqual([]);
    const audit = traced(["audit"], { DATABASE_URL: url }); // a command that uses Prisma loads it (and the pattern matches it)
    expect([audit.stderr, audit.code]).toEqual(["", 0]);
    expect(loads(audit.loaded, PRISMA).length).toBeGreaterThan(0);
  });
});
