/**
 * Settings from the environment (src/config.ts), read with loadSettings(env, cwd) and a custom env
 * object so the real environment and `.env` play no part. Malformed values must throw a ConfigError
 * naming the variable.
 */
import { describe, expect, it } from "vitest";
import { loadSettings } from "../src/config";
import { ConfigError } from "../src/core/errors";

const CWD = "/srv/rapport";

/** The ConfigError loadSettings throws for `env`, or fails the test when there is none. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadSettings(env, CWD);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error(`loadSettings accepted ${JSON.stringify(env)}`);
}

describe("loadSettings: Telegram", () => {
  it("leaves every Telegram setting unset by default", () => {
    const s = loadSettings({}, CWD);
    expect([s.telegramBotToken, s.telegramWebhookUrl, s.telegramWebhookSecret, s.telegramApiRoot]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("keeps a valid TELEGRAM_WEBHOOK_URL", () => {
    expect(loadSettings({ TELEGRAM_WEBHOOK_URL: " https://bot.example.com/telegram " }, CWD).telegramWebhookUrl).toBe("https://bot.example.com/telegram");
  });

  it("refuses a malformed TELEGRAM_WEBHOOK_URL, naming it", () => {
    const e = configError({ TELEGRAM_WEBHOOK_URL: "bot.example.com/telegram" });
    expect(e.variable).toBe("TELEGRAM_WEBHOOK_URL");
    expect(e.message).toMatch(/^TELEGRAM_WEBHOOK_URL: "bot\.example\.com\/telegram" is not a URL\n {2}hint: use the public https:\/\//);
  });

  it("refuses an ftp:// TELEGRAM_WEBHOOK_URL", () => {
    const e = configError({ TELEGRAM_WEBHOOK_URL: "ftp://bot.example.com/telegram" });
    expect(e.variable).toBe("TELEGRAM_WEBHOOK_URL");
    expect(e.message).toContain('TELEGRAM_WEBHOOK_URL: "ftp://bot.example.com/telegram" is not an http(s) URL');
  });

  it("removes trailing slashes from TELEGRAM_API_ROOT", () => {
    expect(loadSettings({ TELEGRAM_API_ROOT: "http://localhost:8081/" }, CWD).telegramApiRoot).toBe("http://localhost:8081");
    expect(loadSettings({ TELEGRAM_API_ROOT: "http://localhost:8081/api//" }, CWD).telegramApiRoot).toBe("http://localhost:8081/api");
    expect(loadSettings({ TELEGRAM_API_ROOT: "http://localhost:8081" }, CWD).telegramApiRoot).toBe("http://localhost:8081");
  });

  it("refuses a malformed TELEGRAM_API_ROOT, naming it", () => {
    const e = configError({ TELEGRAM_API_ROOT: "not a url" });
    expect(e.variable).toBe("TELEGRAM_API_ROOT");
    expect(e.message).toContain('TELEGRAM_API_ROOT: "not a url" is not a URL');
  });

  it("keeps a valid TELEGRAM_WEBHOOK_SECRET", () => {
    expect(loadSettings({ TELEGRAM_WEBHOOK_SECRET: "Ab9_-x" }, CWD).telegramWebhookSecret).toBe("Ab9_-x");
    expect(loadSettings({ TELEGRAM_WEBHOOK_SECRET: "a".repeat(256) }, CWD).telegramWebhookSecret).toBe("a".repeat(256));
  });

  it("refuses a TELEGRAM_WEBHOOK_SECRET with characters Telegram does not accept, naming it", () => {
    for (const secret of ["has space", "semi;colon", "ümlaut", "a".repeat(257)]) {
      const e = configError({ TELEGRAM_WEBHOOK_SECRET: secret });
      expect(e.variable).toBe("TELEGRAM_WEBHOOK_SECRET");
      expect(e.message).toBe("TELEGRAM_WEBHOOK_SECRET: Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - only\n  hint: generate one with: openssl rand -hex 32");
    }
  });
});

/** A complete HTTP-mode Slack setup. */
const HTTP_MODE = { SLACK_BOT_TOKEN: "xoxb-1-2-abc", SLACK_SUPPORT_CHANNEL: "C0123456789", SLACK_SIGNING_SECRET: "s3cr3t" };

describe("loadSettings: Slack", () => {
  it("leaves Slack off when no Slack variable is set", () => {
    const s = loadSettings({}, CWD);
    expect([s.slackBotToken, s.slackSigningSecret, s.slackAppToken, s.slackSupportChannel, s.slackApiUrl]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(s.slackAllowedUsers).toEqual([]);
  });

  it("accepts a token, a channel and a signing secret (HTTP mode)", () => {
    const s = loadSettings({ ...HTTP_MODE, SLACK_SUPPORT_CHANNEL: " C0123456789 " }, CWD);
    expect(s.slackBotToken).toBe("xoxb-1-2-abc");
    expect(s.slackSupportChannel).toBe("C0123456789");
    expect(s.slackSigningSecret).toBe("s3cr3t");
    expect(s.slackAppToken).toBeUndefined();
  });

  it("accepts a token, a private channel and an app token (Socket Mode)", () => {
    const s = loadSettings({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SUPPORT_CHANNEL: "G0PRIVATE1", SLACK_APP_TOKEN: "xapp-1-A1-xyz" }, CWD);
    expect([s.slackSupportChannel, s.slackAppToken, s.slackSigningSecret]).toEqual(["G0PRIVATE1", "xapp-1-A1-xyz", undefined]);
  });

  it("refuses a token without a channel, naming SLACK_SUPPORT_CHANNEL", () => {
    const e = configError({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" });
    expect(e.variable).toBe("SLACK_SUPPORT_CHANNEL");
    expect(e.message).toMatch(/^SLACK_SUPPORT_CHANNEL: is required with SLACK_BOT_TOKEN\n {2}hint: /);
  });

  it("refuses a token with neither a signing secret nor an app token, naming both ways", () => {
    const e = configError({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SUPPORT_CHANNEL: "C0123456789" });
    expect(e.variable).toBe("SLACK_SIGNING_SECRET");
    expect(e.message).toMatch(/^SLACK_SIGNING_SECRET: /);
    expect(e.message).toContain("SLACK_APP_TOKEN");
  });

  it("refuses a bot token that is not xoxb-", () => {
    for (const token of ["xoxp-1-2", "xapp-1-2", "abc"]) {
      const e = configError({ ...HTTP_MODE, SLACK_BOT_TOKEN: token });
      expect(e.variable).toBe("SLACK_BOT_TOKEN");
      expect(e.message).toMatch(/^SLACK_BOT_TOKEN: not a bot token \(bot tokens start with xoxb-\)/);
    }
  });

  it("refuses an app token that is not xapp-", () => {
    const e = configError({ ...HTTP_MODE, SLACK_APP_TOKEN: "xoxb-2" });
    expect(e.variable).toBe("SLACK_APP_TOKEN");
    expect(e.message).toMatch(/^SLACK_APP_TOKEN: not an app-level token \(they start with xapp-\)/);
  });

  it("refuses a #channel name, hinting at the channel id", () => {
    const e = configError({ ...HTTP_MODE, SLACK_SUPPORT_CHANNEL: "#support" });
    expect(e.variable).toBe("SLACK_SUPPORT_CHANNEL");
    expect(e.message).toMatch(/^SLACK_SUPPORT_CHANNEL: "#support" is not a channel id\n {2}hint: use the id \(e\.g\. C0123456789\), not the #name/);
  });

  it("parses SLACK_ALLOWED_USERS, comma-separated with spaces", () => {
    expect(loadSettings({ ...HTTP_MODE, SLACK_ALLOWED_USERS: "U1AB, W2CD" }, CWD).slackAllowedUsers).toEqual(["U1AB", "W2CD"]);
    expect(loadSettings({ ...HTTP_MODE, SLACK_ALLOWED_USERS: " U1AB ,, " }, CWD).slackAllowedUsers).toEqual(["U1AB"]);
  });

  it("refuses a name in SLACK_ALLOWED_USERS, naming it", () => {
    const e = configError({ ...HTTP_MODE, SLACK_ALLOWED_USERS: "U1AB, bob" });
    expect(e.variable).toBe("SLACK_ALLOWED_USERS");
    expect(e.message).toMatch(/^SLACK_ALLOWED_USERS: "bob" is not a Slack user id/);
  });

  it("adds a trailing slash to SLACK_API_URL, and keeps one that is there", () => {
    expect(loadSettings({ ...HTTP_MODE, SLACK_API_URL: "http://127.0.0.1:9999/api" }, CWD).slackApiUrl).toBe("http://127.0.0.1:9999/api/");
    expect(loadSettings({ ...HTTP_MODE, SLACK_API_URL: "http://127.0.0.1:9999/api/" }, CWD).slackApiUrl).toBe("http://127.0.0.1:9999/api/");
  });

  it("refuses a malformed SLACK_API_URL, naming it", () => {
    const e = configError({ ...HTTP_MODE, SLACK_API_URL: "slack.com/api" });
    expect(e.variable).toBe("SLACK_API_URL");
    expect(e.message).toContain('SLACK_API_URL: "slack.com/api" is not a URL');
  });
});

describe("loadSettings: SUPPORT_UNANSWERED_MINUTES", () => {
  it("defaults to 15 minutes", () => {
    expect(loadSettings({}, CWD).supportUnansweredMinutes).toBe(15);
  });

  it("keeps a positive number", () => {
    expect(loadSettings({ SUPPORT_UNANSWERED_MINUTES: "2.5" }, CWD).supportUnansweredMinutes).toBe(2.5);
  });

  it.each(["0", "-5", "abc"])("refuses %j, naming it", (value) => {
    const e = configError({ SUPPORT_UNANSWERED_MINUTES: value });
    expect(e.variable).toBe("SUPPORT_UNANSWERED_MINUTES");
    expect(e.message).toBe(`SUPPORT_UNANSWERED_MINUTES: "${value}" is not a number of minutes\n  hint: use a number above 0, e.g. 15`);
  });
});

describe("loadSettings: PURCHASE_EVENTS_MAX_AGE_HOURS", () => {
  it("defaults to 48 hours and keeps 0 or more", () => {
    expect(loadSettings({}, CWD).purchaseEventsMaxAgeHours).toBe(48);
    expect(loadSettings({ PURCHASE_EVENTS_MAX_AGE_HOURS: " 6 " }, CWD).purchaseEventsMaxAgeHours).toBe(6);
    expect(loadSettings({ PURCHASE_EVENTS_MAX_AGE_HOURS: "0" }, CWD).purchaseEventsMaxAgeHours).toBe(0);
  });

  it.each(["-1", "two days"])("refuses %j, naming it", (value) => {
    const e = configError({ PURCHASE_EVENTS_MAX_AGE_HOURS: value });
    expect(e.variable).toBe("PURCHASE_EVENTS_MAX_AGE_HOURS");
    expect(e.message).toBe(`PURCHASE_EVENTS_MAX_AGE_HOURS: "${value}" is not a number of hours\n  hint: use a number such as 48 (0: only purchases made just now)`);
  });
});

describe("loadSettings: OUTBOX_RETRY_MINUTES", () => {
  it("defaults to 240 minutes and keeps 0 or more", () => {
    expect(loadSettings({}, CWD).outboxRetryMinutes).toBe(240);
    expect(loadSettings({ OUTBOX_RETRY_MINUTES: " 30 " }, CWD).outboxRetryMinutes).toBe(30);
    expect(loadSettings({ OUTBOX_RETRY_MINUTES: "0" }, CWD).outboxRetryMinutes).toBe(0);
  });

  it.each(["-1", "an hour"])("refuses %j, naming it", (value) => {
    const e = configError({ OUTBOX_RETRY_MINUTES: value });
    expect(e.variable).toBe("OUTBOX_RETRY_MINUTES");
    expect(e.message).toBe(`OUTBOX_RETRY_MINUTES: "${value}" is not a number of minutes\n  hint: use a number such as 240 (0: no retries)`);
  });
});

describe("loadSettings: TELEGRAM_MESSAGES_PER_SECOND", () => {
  it("defaults to Telegram's 30 and keeps 1 or more", () => {
    expect(loadSettings({}, CWD).telegramMessagesPerSecond).toBe(30);
    expect(loadSettings({ TELEGRAM_MESSAGES_PER_SECOND: " 10 " }, CWD).telegramMessagesPerSecond).toBe(10);
  });

  it.each(["0", "fast"])("refuses %j, naming it", (value) => {
    const e = configError({ TELEGRAM_MESSAGES_PER_SECOND: value });
    expect(e.variable).toBe("TELEGRAM_MESSAGES_PER_SECOND");
    expect(e.message).toBe(`TELEGRAM_MESSAGES_PER_SECOND: "${value}" is not a number of messages per second\n  hint: use e.g. 30 (Telegram's limit per bot), divided by the number of instances`);
  });
});

describe("loadSettings: CAMPAIGN_RATE", () => {
  // Issue 15: a campaign alone must reach 28.5 msg/s at Telegram's 30; replies go first within the same budget.
  it("defaults to one under TELEGRAM_MESSAGES_PER_SECOND (29), and follows it", () => {
    expect(loadSettings({}, CWD).campaignRatePerSecond).toBe(29);
    expect(loadSettings({ TELEGRAM_MESSAGES_PER_SECOND: "10" }, CWD).campaignRatePerSecond).toBe(9);
    expect(loadSettings({ TELEGRAM_MESSAGES_PER_SECOND: "1" }, CWD).campaignRatePerSecond).toBe(1);
    expect(loadSettings({ CAMPAIGN_RATE: " 12.5 " }, CWD).campaignRatePerSecond).toBe(12.5);
  });

  it.each(["0", "fast"])("refuses %j, naming it", (value) => {
    const e = configError({ CAMPAIGN_RATE: value });
    expect(e.variable).toBe("CAMPAIGN_RATE");
    expect(e.message).toBe(`CAMPAIGN_RATE: "${value}" is not a number of messages per second\n  hint: use a number above 0, e.g. 29 (Telegram allows a bot about 30 messages per second; keep it under TELEGRAM_MESSAGES_PER_SECOND)`);
  });
});

describe("loadSettings: SWEEP_INTERVAL_SECONDS", () => {
  it("defaults to 60 seconds and keeps 1 to 3600", () => {
    expect(loadSettings({}, CWD).sweepIntervalSeconds).toBe(60);
    expect(loadSettings({ SWEEP_INTERVAL_SECONDS: " 5 " }, CWD).sweepIntervalSeconds).toBe(5);
    expect(loadSettings({ SWEEP_INTERVAL_SECONDS: "3600" }, CWD).sweepIntervalSeconds).toBe(3600);
  });

  it.each(["0", "3601", "a minute"])("refuses %j, naming it", (value) => {
    const e = configError({ SWEEP_INTERVAL_SECONDS: value });
    expect(e.variable).toBe("SWEEP_INTERVAL_SECONDS");
    expect(e.message).toBe(`SWEEP_INTERVAL_SECONDS: "${value}" is not a number of seconds from 1 to 3600\n  hint: use e.g. 60`);
  });
});

describe("loadSettings: HTTP API", () => {
  it("keeps a RAPPORT_API_KEY of 32 characters or more, trimmed", () => {
    expect(loadSettings({ RAPPORT_API_KEY: ` ${"k".repeat(32)} ` }, CWD).rapportApiKey).toBe("k".repeat(32));
    expect(loadSettings({}, CWD).rapportApiKey).toBeUndefined();
  });

  it("refuses a RAPPORT_API_KEY shorter than 32 characters, naming it and how to make one", () => {
    const e = configError({ RAPPORT_API_KEY: "secret123" });
    expect(e.variable).toBe("RAPPORT_API_KEY");
    expect(e.message).toBe("RAPPORT_API_KEY: is 9 characters long; at least 32 are required, so the key cannot be guessed\n  hint: generate one with: openssl rand -hex 32");
    expect(configError({ RAPPORT_API_KEY: "k".repeat(31) }).variable).toBe("RAPPORT_API_KEY");
  });
});

describe("loadSettings: metrics", () => {
  it("serves /metrics only with a METRICS_TOKEN of 32 characters or more", () => {
    expect(loadSettings({}, CWD).metricsToken).toBeUndefined();
    expect(loadSettings({ METRICS_TOKEN: ` ${"m".repeat(32)} ` }, CWD).metricsToken).toBe("m".repeat(32));
    const e = configError({ METRICS_TOKEN: "short" });
    expect(e.variable).toBe("METRICS_TOKEN");
    expect(e.message).toBe("METRICS_TOKEN: is 5 characters long; at least 32 are required, so the token cannot be guessed\n  hint: generate one with: openssl rand -hex 32");
  });
});

describe("loadSettings: stopping", () => {
  it("gives a graceful stop 10 seconds unless SHUTDOWN_TIMEOUT_SECONDS says otherwise", () => {
    expect(loadSettings({}, CWD).shutdownTimeoutSeconds).toBe(10);
    expect(loadSettings({ SHUTDOWN_TIMEOUT_SECONDS: "25" }, CWD).shutdownTimeoutSeconds).toBe(25);
  });

  it("refuses a SHUTDOWN_TIMEOUT_SECONDS that is not 1-3600 seconds, naming it", () => {
    for (const v of ["0", "-5", "soon", "4000"]) {
      const e = configError({ SHUTDOWN_TIMEOUT_SECONDS: v });
      expect(e.message).toMatch(new RegExp(`^SHUTDOWN_TIMEOUT_SECONDS: "${v}" is not a number of seconds from 1 to 3600\\n  hint: `));
    }
  });
});

describe("data rights settings (issue 16)", () => {
  it("keeps texts for ever by default, and reads retention in whole days", () => {
    expect(loadSettings({}, CWD).retention).toEqual({ messageTextDays: undefined, surveyCommentDays: undefined, closedTicketDays: undefined });
    expect(loadSettings({ RETAIN_MESSAGE_TEXT_DAYS: "365", RETAIN_SURVEY_COMMENT_DAYS: "forever", RETAIN_CLOSED_TICKET_DAYS: "30" }, CWD).retention)
      .toEqual({ messageTextDays: 365, surveyCommentDays: undefined, closedTicketDays: 30 });
    for (const bad of ["0", "1.5", "a year", "-3"]) expect(configError({ RETAIN_CLOSED_TICKET_DAYS: bad }).message).toMatch(/^RETAIN_CLOSED_TICKET_DAYS: .* is not a number of days/);
  });

  it("makes RAPPORT_API_KEY a key with every scope beside RAPPORT_API_KEYS, and names the variable on a bad entry", () => {
    const key = "k".repeat(32);
    const settings = loadSettings({ RAPPORT_API_KEY: "a".repeat(32), RAPPORT_API_KEYS: `shop:purchases:${key}` }, CWD);
    expect(settings.apiKeys.map((k) => [k.name, k.scopes.size])).toEqual([["default", 5], ["shop", 1]]);
    expect(loadSettings({}, CWD).apiKeys).toEqual([]);
    expect(configError({ RAPPORT_API_KEYS: `shop:everything:${key}` }).message).toMatch(/^RAPPORT_API_KEYS: key "shop": unknown scope "everything"/);
  });

  it("reads the idea review words, with a default list and empty meaning none", () => {
    expect(loadSettings({}, CWD).ideaReviewWords).toContain("password");
    expect(loadSettings({ IDEAS_REVIEW_WORDS: " promo , free gift ," }, CWD).ideaReviewWords).toEqual(["promo", "free gift"]);
    expect(loadSettings({ IDEAS_REVIEW_WORDS: "" }, CWD).ideaReviewWords).toEqual([]);
  });
});

describe("loadSettings: YOUNG_GENERATION_MB", () => {
  it("is V8's own 16 MB unless set, and one of the sizes the young generation passes through", () => {
    expect(loadSettings({}, CWD).youngGenerationMb).toBe(16);
    expect(loadSettings({ YOUNG_GENERATION_MB: " 8 " }, CWD).youngGenerationMb).toBe(8);
  });

  it.each(["6", "32", "0", "eight"])("refuses %s, naming the variable and the sizes it takes", (value) => {
    const e = configError({ YOUNG_GENERATION_MB: value });
    expect(e.variable).toBe("YOUNG_GENERATION_MB");
    expect(e.message).toContain(`"${value}" is not 1, 2, 4, 8 or 16`);
  });
});
