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
  /** Public HTTPS address Telegram posts updates to; unset means long polling. */
  telegramWebhookUrl?: string;
  /** Secret Telegram sends with every webhook request; derived from the token when unset. */
  telegramWebhookSecret?: string;
  /** Another Bot API server (self-hosted, or an emulator in tests); unset means api.telegram.org. */
  telegramApiRoot?: string;
  /** Bearer key shops send to `/api/v1` (purchases, refunds, points); unset, the API answers 503 to everything. */
  rapportApiKey?: string;
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
  const telegramWebhookUrl = optionalUrl(env, "TELEGRAM_WEBHOOK_URL", "use the public https:// address Telegram should post to, e.g. https://bot.example.com/telegram");
  const telegramApiRoot = optionalUrl(env, "TELEGRAM_API_ROOT", "use the Bot API server's base address, e.g. http://localhost:8081 (without /bot<token>)");
  const telegramWebhookSecret = env.TELEGRAM_WEBHOOK_SECRET?.trim() || undefined;
  if (telegramWebhookSecret && !/^[A-Za-z0-9_-]{1,256}$/.test(telegramWebhookSecret)) {
    throw new ConfigError("TELEGRAM_WEBHOOK_SECRET", "Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - only", "generate one with: openssl rand -hex 32");
  }
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
    telegramWebhookUrl,
    telegramWebhookSecret,
    telegramApiRoot: telegramApiRoot?.replace(/\/+$/, ""),
    rapportApiKey: env.RAPPORT_API_KEY?.trim() || undefined,
  };
}

/** An optional http(s) URL setting; a malformed one is a ConfigError naming the variable. */
function optionalUrl(env: NodeJS.ProcessEnv, name: string, hint: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `"${raw}" is not a URL`, hint);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ConfigError(name, `"${raw}" is not an http(s) URL`, hint);
  return raw;
}
