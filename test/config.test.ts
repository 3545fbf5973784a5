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
