import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { config as loadDotenv } from "dotenv";
import { ConfigError } from "./core/errors";

/** Every setting Rapport reads, in one place, so the README's table and the code cannot disagree. */
export interface Settings {
  databaseUrl: string;
  port: number;
  host: string;
  flowsDir: string;
  localesDir: string;
  logLevel: "debug" | "info" | "warn" | "error";
  /** Seconds a message keeps being retried while the database is unreachable. */
  dbRetrySeconds: number;
  /** Watch flows/ and locales/ and reload on change (default on). */
  hotReload: boolean;
  telegramBotToken?: string;
}

/** The default database: an SQLite file next to the project, created on first start. */
export const DEFAULT_DATABASE_URL = "file:./data/rapport.db";

/**
 * Reads settings from the environment (and `.env` if present). Throws ConfigError naming the variable
 * when one is malformed; a missing optional setting is never an error.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  if (env === process.env && existsSync(resolve(cwd, ".env"))) loadDotenv({ path: resolve(cwd, ".env"), quiet: true });
  const databaseUrl = env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
  if (!/^(file:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL", `unsupported database URL "${databaseUrl.replace(/\/\/[^@]*@/, "//***@")}"`,
      "use file:./data/rapport.db for SQLite or postgresql://user:password@host:5432/db for PostgreSQL");
  }
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError("PORT", `"${env.PORT}" is not a TCP port`, "use a number such as 3000");
  const logLevel = (env.LOG_LEVEL ?? "info").toLowerCase();
  if (!["debug", "info", "warn", "error"].includes(logLevel)) throw new ConfigError("LOG_LEVEL", `"${env.LOG_LEVEL}" is not a level`, "use debug, info, warn or error");
  const dbRetrySeconds = Number(env.DB_RETRY_SECONDS ?? 30);
  if (!(dbRetrySeconds >= 0)) throw new ConfigError("DB_RETRY_SECONDS", `"${env.DB_RETRY_SECONDS}" is not a number of seconds`);
  return {
    databaseUrl,
    port,
    host: env.HOST?.trim() || "0.0.0.0",
    flowsDir: resolve(cwd, env.FLOWS_DIR?.trim() || "flows"),
    localesDir: resolve(cwd, env.LOCALES_DIR?.trim() || "locales"),
    logLevel: logLevel as Settings["logLevel"],
    dbRetrySeconds,
    hotReload: (env.HOT_RELOAD ?? "true") !== "false",
    telegramBotToken: env.TELEGRAM_BOT_TOKEN?.trim() || undefined,
  };
}
