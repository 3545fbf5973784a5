import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { config as loadDotenv } from "dotenv";
import { ConfigError } from "./core/errors";
import { MIN_API_KEY_LENGTH, parseApiKeys, type ApiKey } from "./http/api/scopes";
import { DEFAULT_REVIEW_WORDS } from "./feedback/moderation";
import { parseSettingsUsers, type SettingsUser } from "./console/auth/settingsUsers";
import type { CampaignRules } from "./campaigns/eligibility";
import { campaignRulesFromEnv } from "./campaigns/rulesFromEnv";

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
  /** Seconds a graceful stop (SIGTERM, SIGINT) may take before the process exits anyway. */
  shutdownTimeoutSeconds: number;
  /** How large V8's young generation may grow per half, MB (YOUNG_GENERATION_MB; 16, V8's own, by default). */
  youngGenerationMb: number;
  /** Watch flows/ and locales/ and reload on change (default on). */
  hotReload: boolean;
  telegramBotToken?: string;
  /** Public HTTPS address Telegram posts updates to; unset means long polling. */
  telegramWebhookUrl?: string;
  /** Secret Telegram sends with every webhook request; derived from the token when unset. */
  telegramWebhookSecret?: string;
  /** Another Bot API server (self-hosted, or an emulator in tests); unset means api.telegram.org. */
  telegramApiRoot?: string;
  /**
   * Messages per second this process sends over all Telegram chats (TELEGRAM_MESSAGES_PER_SECOND,
   * default 30, Telegram's limit per bot). A process's own budget: with several instances, divide.
   */
  telegramMessagesPerSecond: number;
  /** Bearer key shops send to `/api/v1` (purchases, refunds, points); unset, the API answers 503 to everything. */
  rapportApiKey?: string;
  /**
   * Every API key with its scopes: RAPPORT_API_KEYS (`name:scope1,scope2:key;…`) plus RAPPORT_API_KEY
   * as a key with every scope. Empty: the API answers 503 to everything.
   */
  apiKeys: ApiKey[];
  /** How long texts are kept (days); undefined keeps them for ever (the default). */
  retention: RetentionSettings;
  /** Words that hold a customer's idea for review before others see it (IDEAS_REVIEW_WORDS). */
  ideaReviewWords: string[];
  /** Slack bot token (xoxb-…); with SLACK_SUPPORT_CHANNEL it turns on the support handoff to Slack. */
  slackBotToken?: string;
  /** Signing secret: Slack's requests arrive over HTTP on PORT at /slack/events (production). */
  slackSigningSecret?: string;
  /** App-level token (xapp-…): Socket Mode, no public URL needed (local use). */
  slackAppToken?: string;
  /** The channel id (C…) where ticket cards are posted and staff work. */
  slackSupportChannel?: string;
  /** Another Web API base address (tests); unset means https://slack.com/api/. */
  slackApiUrl?: string;
  /** Slack user ids allowed to handle tickets; empty means members of the support channel. */
  slackAllowedUsers: string[];
  /** Minutes without a claim before the customer is told nobody has answered yet. */
  supportUnansweredMinutes: number;
  /** A purchase recorded more than this many hours after it was made (a backfill) tells the customer nothing. */
  purchaseEventsMaxAgeHours: number;
  /** Console users defined by environment (CONSOLE_USERS, `name:role:bcrypt-hash;…`), besides those in the database. */
  consoleUsers: SettingsUser[];
  /** Serve the web chat widget and its endpoints under /webchat (WEBCHAT, default on); the console's playground uses it. */
  webchatEnabled: boolean;
  /** Sites allowed to embed the widget (WEBCHAT_ORIGINS, comma-separated origins; default any: *). */
  webchatOrigins: string[];
  /**
   * Who campaigns may reach and how often (issue 15): MARKETING_CONSENT (opt_in, the default: only those
   * who said yes; opt_out: all but those who said /stop), CAMPAIGN_FREQUENCY_CAP, CAMPAIGN_QUIET_HOURS,
   * CAMPAIGN_TIME_ZONE.
   */
  campaignRules: CampaignRules;
  /** METRICS_TOKEN: serves Prometheus `GET /metrics` to requests bearing it; unset, there is no /metrics. */
  metricsToken?: string;
  /** Minutes a message to a customer keeps being retried after its first failed send (OUTBOX_RETRY_MINUTES). */
  outboxRetryMinutes: number;
  /**
   * Seconds between sweeps (SWEEP_INTERVAL_SECONDS, default 60); with several instances also how soon
   * another one takes over the sweeper after the one running it died.
   */
  sweepIntervalSeconds: number;
  /**
   * Messages per second per channel campaigns may use (CAMPAIGN_RATE, default TELEGRAM_MESSAGES_PER_SECOND
   * less 1: 29, so a campaign alone sends 95 % of Telegram's limit and more, issue 15): every other message
   * counts against it too and never waits for it, so conversation replies go first and campaigns get the rest.
   */
  campaignRatePerSecond: number;
}

/** The shortest API key accepted (RAPPORT_API_KEY and each of RAPPORT_API_KEYS). */
export { MIN_API_KEY_LENGTH };

/**
 * How long personal texts are kept, in days (issue 16); undefined means for ever. The sweeper removes
 * older texts in small batches and keeps the rows, so counts and reports stay right.
 */
export interface RetentionSettings {
  /** Message texts in the contact history (RETAIN_MESSAGE_TEXT_DAYS). */
  messageTextDays?: number;
  /** Comments of survey answers; the scores stay (RETAIN_SURVEY_COMMENT_DAYS). */
  surveyCommentDays?: number;
  /** Questions and relayed texts of tickets closed this long ago (RETAIN_CLOSED_TICKET_DAYS). */
  closedTicketDays?: number;
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
  const shutdownTimeoutSeconds = Number(env.SHUTDOWN_TIMEOUT_SECONDS?.trim() || 10);
  if (!(shutdownTimeoutSeconds >= 1 && shutdownTimeoutSeconds <= 3600)) {
    throw new ConfigError("SHUTDOWN_TIMEOUT_SECONDS", `"${env.SHUTDOWN_TIMEOUT_SECONDS}" is not a number of seconds from 1 to 3600`, "use e.g. 10, and give your orchestrator's stop grace period a few seconds more");
  }
  const youngGenerationMb = youngGenerationMbOf(env);
  const telegramWebhookUrl = optionalUrl(env, "TELEGRAM_WEBHOOK_URL", "use the public https:// address Telegram should post to, e.g. https://bot.example.com/telegram");
  const telegramApiRoot = optionalUrl(env, "TELEGRAM_API_ROOT", "use the Bot API server's base address, e.g. http://localhost:8081 (without /bot<token>)");
  const telegramWebhookSecret = env.TELEGRAM_WEBHOOK_SECRET?.trim() || undefined;
  if (telegramWebhookSecret && !/^[A-Za-z0-9_-]{1,256}$/.test(telegramWebhookSecret)) {
    throw new ConfigError("TELEGRAM_WEBHOOK_SECRET", "Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - only", "generate one with: openssl rand -hex 32");
  }
  const rapportApiKey = env.RAPPORT_API_KEY?.trim() || undefined;
  // A short key can be guessed by trying (issue #13); `openssl rand -hex 32` gives 64 characters.
  if (rapportApiKey && rapportApiKey.length < MIN_API_KEY_LENGTH) {
    throw new ConfigError("RAPPORT_API_KEY", `is ${rapportApiKey.length} characters long; at least ${MIN_API_KEY_LENGTH} are required, so the key cannot be guessed`, "generate one with: openssl rand -hex 32");
  }
  const metricsToken = env.METRICS_TOKEN?.trim() || undefined;
  if (metricsToken && metricsToken.length < MIN_API_KEY_LENGTH) {
    throw new ConfigError("METRICS_TOKEN", `is ${metricsToken.length} characters long; at least ${MIN_API_KEY_LENGTH} are required, so the token cannot be guessed`, "generate one with: openssl rand -hex 32");
  }
  const slack = slackSettings(env);
  const supportUnansweredMinutes = Number(env.SUPPORT_UNANSWERED_MINUTES?.trim() || 15);
  if (!(supportUnansweredMinutes > 0)) throw new ConfigError("SUPPORT_UNANSWERED_MINUTES", `"${env.SUPPORT_UNANSWERED_MINUTES}" is not a number of minutes`, "use a number above 0, e.g. 15");
  const purchaseEventsMaxAgeHours = Number(env.PURCHASE_EVENTS_MAX_AGE_HOURS?.trim() || 48);
  if (!(purchaseEventsMaxAgeHours >= 0)) throw new ConfigError("PURCHASE_EVENTS_MAX_AGE_HOURS", `"${env.PURCHASE_EVENTS_MAX_AGE_HOURS}" is not a number of hours`, "use a number such as 48 (0: only purchases made just now)");
  const campaignRules = campaignRulesFromEnv(env);
  const outboxRetryMinutes = Number(env.OUTBOX_RETRY_MINUTES?.trim() || 240);
  if (!(outboxRetryMinutes >= 0)) throw new ConfigError("OUTBOX_RETRY_MINUTES", `"${env.OUTBOX_RETRY_MINUTES}" is not a number of minutes`, "use a number such as 240 (0: no retries)");
  const telegramMessagesPerSecond = Number(env.TELEGRAM_MESSAGES_PER_SECOND?.trim() || 30);
  if (!(telegramMessagesPerSecond >= 1)) throw new ConfigError("TELEGRAM_MESSAGES_PER_SECOND", `"${env.TELEGRAM_MESSAGES_PER_SECOND}" is not a number of messages per second`, "use e.g. 30 (Telegram's limit per bot), divided by the number of instances");
  const sweepIntervalSeconds = Number(env.SWEEP_INTERVAL_SECONDS?.trim() || 60);
  if (!(sweepIntervalSeconds >= 1 && sweepIntervalSeconds <= 3600)) throw new ConfigError("SWEEP_INTERVAL_SECONDS", `"${env.SWEEP_INTERVAL_SECONDS}" is not a number of seconds from 1 to 3600`, "use e.g. 60");
  const campaignRatePerSecond = Number(env.CAMPAIGN_RATE?.trim() || Math.max(1, telegramMessagesPerSecond - 1));
  if (!(campaignRatePerSecond > 0 && campaignRatePerSecond <= 1000)) throw new ConfigError("CAMPAIGN_RATE", `"${env.CAMPAIGN_RATE}" is not a number of messages per second`, "use a number above 0, e.g. 29 (Telegram allows a bot about 30 messages per second; keep it under TELEGRAM_MESSAGES_PER_SECOND)");
  return {
    ...slack,
    campaignRules,
    outboxRetryMinutes,
    sweepIntervalSeconds,
    telegramMessagesPerSecond,
    campaignRatePerSecond,
    apiKeys: parseApiKeys(env.RAPPORT_API_KEYS, rapportApiKey),
    retention: {
      messageTextDays: retentionDays(env, "RETAIN_MESSAGE_TEXT_DAYS"),
      surveyCommentDays: retentionDays(env, "RETAIN_SURVEY_COMMENT_DAYS"),
      closedTicketDays: retentionDays(env, "RETAIN_CLOSED_TICKET_DAYS"),
    },
    ideaReviewWords: env.IDEAS_REVIEW_WORDS === undefined ? [...DEFAULT_REVIEW_WORDS] : env.IDEAS_REVIEW_WORDS.split(",").map((w) => w.trim()).filter(Boolean),
    supportUnansweredMinutes,
    purchaseEventsMaxAgeHours,
    consoleUsers: parseSettingsUsers(env.CONSOLE_USERS),
    webchatEnabled: (env.WEBCHAT ?? "true").trim().toLowerCase() !== "false",
    webchatOrigins: webchatOrigins(env.WEBCHAT_ORIGINS),
    databaseUrl,
    port,
    host: env.HOST?.trim() || "0.0.0.0",
    flowsDir: resolve(cwd, env.FLOWS_DIR?.trim() || "flows"),
    localesDir: resolve(cwd, env.LOCALES_DIR?.trim() || "locales"),
    logLevel: logLevel as Settings["logLevel"],
    dbRetrySeconds,
    shutdownTimeoutSeconds,
    youngGenerationMb,
    hotReload: (env.HOT_RELOAD ?? "true") !== "false",
    telegramBotToken: env.TELEGRAM_BOT_TOKEN?.trim() || undefined,
    telegramWebhookUrl,
    telegramWebhookSecret,
    telegramApiRoot: telegramApiRoot?.replace(/\/+$/, ""),
    rapportApiKey,
    metricsToken,
  };
}

/**
 * YOUNG_GENERATION_MB: 1, 2, 4, 8 or 16 (V8's own bound, the default), the sizes V8's young generation
 * passes through as it doubles. The bench reads it the same way (bench/session.ts).
 */
export function youngGenerationMbOf(env: NodeJS.ProcessEnv): number {
  const text = env.YOUNG_GENERATION_MB?.trim() || "16";
  const mb = Number(text);
  if (![1, 2, 4, 8, 16].includes(mb)) throw new ConfigError("YOUNG_GENERATION_MB", `"${env.YOUNG_GENERATION_MB}" is not 1, 2, 4, 8 or 16`, "use 8 to trade a few percent of CPU per message for ~16 MB less memory under load, or leave it unset (16)");
  return mb;
}

/** The Slack settings, checked together: a token without a channel or a way to receive events is an error. */
function slackSettings(env: NodeJS.ProcessEnv): Pick<Settings, "slackBotToken" | "slackSigningSecret" | "slackAppToken" | "slackSupportChannel" | "slackApiUrl" | "slackAllowedUsers"> {
  const slackBotToken = env.SLACK_BOT_TOKEN?.trim() || undefined;
  const slackSigningSecret = env.SLACK_SIGNING_SECRET?.trim() || undefined;
  const slackAppToken = env.SLACK_APP_TOKEN?.trim() || undefined;
  const slackSupportChannel = env.SLACK_SUPPORT_CHANNEL?.trim() || undefined;
  const slackApiUrl = optionalUrl(env, "SLACK_API_URL", "use a Web API base address such as https://slack.com/api/");
  const slackAllowedUsers = (env.SLACK_ALLOWED_USERS ?? "").split(",").map((u) => u.trim()).filter(Boolean);
  const badUser = slackAllowedUsers.find((u) => !/^[UW][A-Z0-9]{2,}$/.test(u));
  if (badUser) throw new ConfigError("SLACK_ALLOWED_USERS", `"${badUser}" is not a Slack user id`, "list member ids such as U012AB3CD, comma-separated (profile → ⋮ → Copy member ID)");
  if (slackBotToken) {
    if (!slackBotToken.startsWith("xoxb-")) throw new ConfigError("SLACK_BOT_TOKEN", "not a bot token (bot tokens start with xoxb-)", "copy the Bot User OAuth Token from your Slack app's OAuth & Permissions page");
    if (!slackSupportChannel) throw new ConfigError("SLACK_SUPPORT_CHANNEL", "is required with SLACK_BOT_TOKEN", "set it to the support channel's id (channel details → bottom of the About tab), e.g. C0123456789, and invite the app to it");
    if (!slackSigningSecret && !slackAppToken) throw new ConfigError("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN needs either SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)", "copy the Signing Secret from the app's Basic Information page, or create an app-level token with connections:write for Socket Mode");
  }
  if (slackAppToken && !slackAppToken.startsWith("xapp-")) throw new ConfigError("SLACK_APP_TOKEN", "not an app-level token (they start with xapp-)", "create one under Basic Information → App-Level Tokens with the connections:write scope");
  if (slackSupportChannel && !/^[CG][A-Z0-9]{2,}$/.test(slackSupportChannel)) {
    throw new ConfigError("SLACK_SUPPORT_CHANNEL", `"${slackSupportChannel}" is not a channel id`, "use the id (e.g. C0123456789), not the #name: channel details → bottom of the About tab");
  }
  return { slackBotToken, slackSigningSecret, slackAppToken, slackSupportChannel, slackApiUrl: slackApiUrl && (slackApiUrl.endsWith("/") ? slackApiUrl : `${slackApiUrl}/`), slackAllowedUsers };
}

/** WEBCHAT_ORIGINS: `*` or origins such as https://shop.example.com, comma-separated. */
function webchatOrigins(raw: string | undefined): string[] {
  const list = (raw ?? "*").split(",").map((o) => o.trim().replace(/\/+$/, "")).filter(Boolean);
  for (const o of list) {
    if (o === "*") continue;
    let url: URL | undefined;
    try { url = new URL(o); } catch { /* reported below */ }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.origin !== o) throw new ConfigError("WEBCHAT_ORIGINS", `"${o}" is not an origin`, "write origins like https://shop.example.com (scheme and host, no path), comma-separated, or * for any site");
  }
  return list.length > 0 ? list : ["*"];
}

/** A retention period in whole days; unset, empty or "forever" keeps texts for ever. */
function retentionDays(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw || raw.toLowerCase() === "forever") return undefined;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1) throw new ConfigError(name, `"${raw}" is not a number of days`, "use a whole number of days (1 or more), or leave it unset to keep texts for ever");
  return days;
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
