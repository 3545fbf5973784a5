import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { App } from "../app/createApp";
import { loadSettings, type Settings } from "../config";
import { createLogger, type Logger } from "../core/log";
import type { Database } from "../db/Database";
import type { SqlReader } from "../db/openReader";

// What commands share: settings, the database or the whole core, and where logs go. Settings are read
// when a command runs, never for --help, and everything heavy is imported here on demand, so a
// command loads only what it uses (scripts/build.mjs splits the build along these imports).

/** Where the terminal chat's logs go while it holds the terminal (README, "Commands"). */
export const TERMINAL_CHAT_LOG = "data/rapport.log";

/** Settings from the environment and .env; a malformed one is a ConfigError naming the variable. */
export function settings(): Settings {
  return loadSettings();
}

/** Commands print their own results: their log shows warnings and errors only, unless LOG_LEVEL=debug. */
export function commandLogger(s: Settings): Logger {
  return createLogger(s.logLevel === "debug" ? "debug" : "warn");
}

/**
 * A logger writing to TERMINAL_CHAT_LOG (appended, relative to the working folder) instead of stderr,
 * for a terminal chat on a TTY: a log line printed into the prompt breaks the conversation on screen.
 */
export function chatFileLogger(level: Settings["logLevel"], file = resolve(TERMINAL_CHAT_LOG)): Logger {
  mkdirSync(dirname(file), { recursive: true });
  return createLogger(level, (line) => appendFileSync(file, `${line}\n`));
}

/**
 * Runs `use` on the database, checked (an SQLite file must exist, PostgreSQL must answer within 5 s)
 * and migrated, then closes it. For commands that only read or write tables: no flows, no engine.
 * `createDatabase`: a missing SQLite file is created (a setup step such as adding the first console user).
 */
export async function withDatabase<T>(use: (db: Database, s: Settings) => Promise<T>, options: { createDatabase?: boolean } = {}): Promise<T> {
  const s = settings();
  const [{ checkDatabase }, { openDatabase }, { migrate }] = await Promise.all([import("../db/checkDatabase"), import("../db/Database"), import("../db/migrate")]);
  await checkDatabase(s.databaseUrl, { create: options.createDatabase });
  const db = await openDatabase(s.databaseUrl);
  try {
    await migrate(db);
    return await use(db, s);
  } finally {
    await db.close();
  }
}

/**
 * Runs `use` on a reader of the checked database: the driver alone, no Prisma (see openReader), for
 * the read-only commands that must start fast. A database with migrations pending is migrated first
 * (through withDatabase, the slow path, once).
 */
export async function withReader<T>(use: (db: SqlReader, s: Settings) => Promise<T>): Promise<T> {
  const s = settings();
  const [{ checkDatabase }, { openReader }, { migrationsPending }] = await Promise.all([import("../db/checkDatabase"), import("../db/openReader"), import("../db/migrate")]);
  await checkDatabase(s.databaseUrl);
  const reader = await openReader(s.databaseUrl);
  let pending: boolean;
  try {
    pending = await migrationsPending(reader);
    if (!pending) return await use(reader, s);
  } finally {
    await reader.close();
  }
  return withDatabase(use);
}

/**
 * Runs `use` on the whole core (flows, engine, domain services) over the checked database, then
 * closes it. For commands that act through the domains (a sweep, a review, a ticket reply).
 */
export async function withApp<T>(use: (app: App, s: Settings) => Promise<T>, options: { log?: Logger; partialFlows?: boolean; createDatabase?: boolean } = {}): Promise<T> {
  const s = settings();
  const app = await openApp(options.log ?? commandLogger(s), s, { partialFlows: options.partialFlows, createDatabase: options.createDatabase });
  try {
    return await use(app, s);
  } finally {
    await app.close();
  }
}

/**
 * The whole core over the checked database, for a command that manages its lifetime (the caller
 * closes it). `createDatabase`: a missing SQLite file is created, as `start` does (the terminal chat
 * is how a newcomer tries the flows, often before anything else has run).
 */
export async function openApp(log: Logger, s: Settings = settings(), options: { partialFlows?: boolean; createDatabase?: boolean } = {}): Promise<App> {
  const [{ checkDatabase }, { createApp }] = await Promise.all([import("../db/checkDatabase"), import("../app/createApp")]);
  await checkDatabase(s.databaseUrl, { create: options.createDatabase });
  return createApp({ settings: { ...s, hotReload: false }, log, partialFlows: options.partialFlows });
}
