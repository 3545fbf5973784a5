/**
 * Translation of grammY's errors into Rapport's (src/channels/telegram/errors.ts): a failed send
 * becomes RecipientUnreachableError (403) or TelegramSendError; a failed setup call becomes a
 * ConfigError or TelegramSetupError whose message names the setting to check.
 */
import { GrammyError, HttpError } from "grammy";
import { describe, expect, it } from "vitest";
import { sendFailure, setupFailure, TelegramSendError, TelegramSetupError } from "../../../src/channels/telegram/errors";
import { ConfigError, RapportError, RecipientUnreachableError } from "../../../src/core/errors";

const API_ROOT = "http://localhost:8081";

/** A GrammyError as grammY throws it when Telegram answers ok: false. */
const apiError = (method: string, error_code: number, description: string) =>
  new GrammyError(`Call to '${method}' failed!`, { ok: false, error_code, description }, method, { chat_id: 1 });

describe("sendFailure", () => {
  it("maps 403 to RecipientUnreachableError with Telegram's description as the reason", () => {
    const cause = apiError("sendMessage", 403, "Forbidden: bot was blocked by the user");
    const e = sendFailure("123", cause);
    expect(e).toBeInstanceOf(RecipientUnreachableError);
    const unreachable = e as RecipientUnreachableError;
    expect(unreachable.code).toBe("rapport_recipient_unreachable");
    expect(unreachable.channel).toBe("telegram");
    expect(unreachable.reason).toBe("Forbidden: bot was blocked by the user");
    expect(unreachable.message).toBe("telegram: the customer cannot be reached (Forbidden: bot was blocked by the user); they are marked unreachable until they write again");
    expect(unreachable.cause).toBe(cause);
  });

  it("maps other API errors to TelegramSendError with the code and description", () => {
    const cause = apiError("sendMessage", 400, "Bad Request: message text is empty");
    const e = sendFailure("-1001234567890", cause);
    expect(e).toBeInstanceOf(TelegramSendError);
    expect(e).toBeInstanceOf(RapportError);
    const send = e as TelegramSendError;
    expect(send.name).toBe("TelegramSendError");
    expect(send.code).toBe("rapport_telegram_send_failed");
    expect(send.chatId).toBe("-1001234567890");
    expect(send.message).toBe("Telegram sendMessage to chat -1001234567890 failed: 400 Bad Request: message text is empty");
    expect(send.cause).toBe(cause);
    expect(send.transient).toBe(false); // the message itself was refused: the outbox does not retry it
    expect((sendFailure("1", apiError("sendMessage", 502, "Bad Gateway")) as TelegramSendError).transient).toBe(true);
  });

  it("maps a network failure to TelegramSendError with its message", () => {
    const cause = new HttpError("Network request for 'sendMessage' failed!", new Error("ECONNRESET"));
    const e = sendFailure("123", cause) as TelegramSendError;
    expect(e.transient).toBe(true); // retried by the outbox
    expect(e).toBeInstanceOf(TelegramSendError);
    expect(e.message).toBe("Telegram sendMessage to chat 123 failed: Network request for 'sendMessage' failed!");
  });
});

describe("setupFailure", () => {
  it("maps getMe 401 to a ConfigError naming TELEGRAM_BOT_TOKEN and pointing to BotFather", () => {
    const e = setupFailure("getMe", API_ROOT, apiError("getMe", 401, "Unauthorized"));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).variable).toBe("TELEGRAM_BOT_TOKEN");
    expect(e.message).toMatch(/^TELEGRAM_BOT_TOKEN: Telegram rejected the token \(401 Unauthorized\)\n {2}hint: .*BotFather/);
  });

  it("maps getMe 404 (a malformed token) to the same ConfigError", () => {
    const e = setupFailure("getMe", API_ROOT, apiError("getMe", 404, "Not Found"));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain("TELEGRAM_BOT_TOKEN: Telegram rejected the token (404 Not Found)");
  });

  it("maps setWebhook 400 to TelegramSetupError pointing to TELEGRAM_WEBHOOK_URL", () => {
    const cause = apiError("setWebhook", 400, "Bad Request: bad webhook: HTTPS url must be provided for webhook");
    const e = setupFailure("setWebhook", API_ROOT, cause);
    expect(e).toBeInstanceOf(TelegramSetupError);
    const setup = e as TelegramSetupError;
    expect(setup.code).toBe("rapport_telegram_setup");
    expect(setup.step).toBe("setWebhook");
    expect(setup.message).toMatch(/^Telegram setWebhook failed: 400 Bad Request: bad webhook: HTTPS url must be provided for webhook\n {2}hint: check TELEGRAM_WEBHOOK_URL/);
    expect(setup.cause).toBe(cause);
  });

  it("keeps Telegram's words for other refused setup calls", () => {
    const e = setupFailure("deleteWebhook", API_ROOT, apiError("deleteWebhook", 429, "Too Many Requests: retry after 5"));
    expect(e).toBeInstanceOf(TelegramSetupError);
    expect(e.message).toBe("Telegram deleteWebhook failed: 429 Too Many Requests: retry after 5\n  hint: see Telegram's description above");
  });

  it("maps a network failure to TelegramSetupError naming the API root and TELEGRAM_API_ROOT", () => {
    const cause = new HttpError("Network request for 'getMe' failed!", new Error("connect ECONNREFUSED 127.0.0.1:8081"));
    const e = setupFailure("getMe", API_ROOT, cause);
    expect(e).toBeInstanceOf(TelegramSetupError);
    expect(e.message).toBe(
      "Telegram getMe failed: could not reach http://localhost:8081 (Network request for 'getMe' failed!)\n" +
      "  hint: check the network, or TELEGRAM_API_ROOT if you use your own Bot API server",
    );
    expect(e.cause).toBe(cause);
  });

  it("passes any other error through unchanged", () => {
    const other = new TypeError("boom");
    expect(setupFailure("getMe", API_ROOT, other)).toBe(other);
  });
});
