import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/UsageError";
import {
  ActionParamsError,
  PathNotFoundError,
  ActionFailedError, ConfigError, ContactNotFoundError, DatabaseUnavailableError, FlowFileError, formatProblem,
  NotStoredYetError, PipelineError, RapportError, RecipientUnreachableError, TranscriptFileError, UnknownActionError,
} from "../../src/core/errors";
import { TelegramSendError, TelegramSetupError } from "../../src/channels/telegram/errors";
import { WebhookPayloadError } from "../../src/channels/telegram/webhookAdapter";
import { MigrationDriftError } from "../../src/db/migrate";
import { LocaleFileError } from "../../src/i18n/Translator";
import { isNotStored } from "../../src/core/StoreOrder";

/** Checks what every Rapport error shares: the class name, a stable code and the base classes. */
function expectRapportError(e: RapportError, name: string, code: string) {
  expect(e).toBeInstanceOf(RapportError);
  expect(e).toBeInstanceOf(Error);
  expect(e.name).toBe(name);
  expect(e.code).toBe(code);
  expect(String(e)).toBe(`${name}: ${e.message}`);
}

describe("errors", () => {
  it("NotStoredYetError says why and that the message comes again; the channels leave it unacknowledged", () => {
    const e = new NotStoredYetError("a card is being posted");
    expectRapportError(e, "NotStoredYetError", "rapport_not_stored_yet");
    expect(e.message).toBe("not stored yet: a card is being posted; it is taken again when delivered again");
    expect(isNotStored(e)).toBe(true);
  });

  it("ConfigError names the variable, the problem and the hint", () => {
    const e = new ConfigError("DATABASE_URL", "is not set", "copy .env.example to .env");
    expectRapportError(e, "ConfigError", "rapport_config_invalid");
    expect(e.message).toBe("DATABASE_URL: is not set\n  hint: copy .env.example to .env");
    expect(e.variable).toBe("DATABASE_URL");
    expect(new ConfigError("PORT", "must be a number").message).toBe("PORT: must be a number");
  });

  it("FlowFileError lists every problem as file:line:col: message", () => {
    const problems = [
      { file: "flows/a.yaml", line: 3, col: 5, message: 'unknown step kind "sya"' },
      { file: "flows/b.yaml", line: 10, col: 1, message: "YAML syntax: bad" },
    ];
    const e = new FlowFileError(problems);
    expectRapportError(e, "FlowFileError", "rapport_flow_invalid");
    expect(e.message).toBe('flows/a.yaml:3:5: unknown step kind "sya"\nflows/b.yaml:10:1: YAML syntax: bad');
    expect(e.problems).toBe(problems);
    expect(formatProblem(problems[1]!)).toBe("flows/b.yaml:10:1: YAML syntax: bad");
  });

  it("UnknownActionError names the action and the registered ones", () => {
    const e = new UnknownActionError("faq.answr", ["contact.set_locale", "faq.answer"]);
    expectRapportError(e, "UnknownActionError", "rapport_action_unknown");
    expect(e.message).toBe('unknown action "faq.answr"; registered actions: contact.set_locale, faq.answer');
    expect(e.action).toBe("faq.answr");
    expect(new UnknownActionError("x", []).message).toBe('unknown action "x"; registered actions: (none)');
  });

  it("ActionFailedError says where the action failed and keeps the cause", () => {
    const cause = new Error("ledger locked");
    const e = new ActionFailedError("loyalty.award", "welcome", "greet", cause);
    expectRapportError(e, "ActionFailedError", "rapport_action_failed");
    expect(e.message).toBe('action "loyalty.award" failed in flow "welcome" at step "greet": ledger locked');
    expect(e.cause).toBe(cause);
    expect([e.action, e.flowId, e.stepId]).toEqual(["loyalty.award", "welcome", "greet"]);
    expect(new ActionFailedError("a", "f", "s", "plain string").message).toBe('action "a" failed in flow "f" at step "s": plain string');
  });

  it("ContactNotFoundError shows the reference and the accepted forms", () => {
    const e = new ContactNotFoundError("telegram:42");
    expectRapportError(e, "ContactNotFoundError", "rapport_contact_not_found");
    expect(e.message).toBe('no contact matches "telegram:42"; use a contact id or <channel>:<external id>, e.g. terminal:alice or telegram:123456');
    expect(e.reference).toBe("telegram:42");
  });

  it("DatabaseUnavailableError counts attempts, keeps the cause and hints at DATABASE_URL", () => {
    const cause = new Error("ECONNREFUSED");
    const e = new DatabaseUnavailableError(5, cause);
    expectRapportError(e, "DatabaseUnavailableError", "rapport_db_unavailable");
    expect(e.message).toBe("database unavailable after 5 attempts: ECONNREFUSED\n  hint: check DATABASE_URL and that the database server is running");
    expect(e.attempts).toBe(5);
    expect(e.cause).toBe(cause);
  });

  it("RecipientUnreachableError names the channel and the reason, and says what happens next", () => {
    const cause = new Error("403");
    const e = new RecipientUnreachableError("telegram", "Forbidden: bot was blocked by the user", { cause });
    expect(e.message).toBe("telegram: the customer cannot be reached (Forbidden: bot was blocked by the user); they are marked unreachable until they write again");
    expect(e.code).toBe("rapport_recipient_unreachable");
    expect(e.cause).toBe(cause);
  });

  it("PipelineError says what was being handled and keeps the cause", () => {
    const cause = new TypeError("x is undefined");
    const e = new PipelineError("telegram event 812 for contact c1", cause);
    expectRapportError(e, "PipelineError", "rapport_pipeline_failed");
    expect(e.message).toBe("handling telegram event 812 for contact c1 failed: x is undefined");
    expect(e.where).toBe("telegram event 812 for contact c1");
    expect(e.cause).toBe(cause);
  });

  it("TranscriptFileError gives file and line", () => {
    const e = new TranscriptFileError("flows/welcome.test.txt", 7, 'expected "user:" or "bot:"');
    expectRapportError(e, "TranscriptFileError", "rapport_transcript_invalid");
    expect(e.message).toBe('flows/welcome.test.txt:7: expected "user:" or "bot:"');
    expect([e.file, e.line]).toEqual(["flows/welcome.test.txt", 7]);
  });

  it("LocaleFileError names the file, line and column", () => {
    const e = new LocaleFileError("locales/pl/faq.json", 3, 7, "a comma is missing before this");
    expectRapportError(e, "LocaleFileError", "rapport_locale_invalid");
    expect(e.message).toBe("locales/pl/faq.json:3:7: a comma is missing before this");
    expect(e.file).toBe("locales/pl/faq.json");
  });

  it("MigrationDriftError names the migration and says migrations are append-only", () => {
    const e = new MigrationDriftError("0003_tickets.sql");
    expectRapportError(e, "MigrationDriftError", "rapport_migration_drift");
    expect(e.message).toBe("migration 0003_tickets.sql was applied with different contents than the file has now; migrations are append-only: restore the file and add a new migration instead");
    expect(e.migration).toBe("0003_tickets.sql");
  });

  it("UsageError keeps its message", () => {
    const e = new UsageError("unknown option --verbos; did you mean --verbose?");
    expectRapportError(e, "UsageError", "rapport_usage");
    expect(e.message).toBe("unknown option --verbos; did you mean --verbose?");
  });

  it("ActionParamsError names the action, flow and step and points to the docs", () => {
    const e = new ActionParamsError("loyalty.redeem", "rewards", "pay", "points: Expected number, received string");
    expectRapportError(e, "ActionParamsError", "rapport_action_params");
    expect(e.message).toBe('action "loyalty.redeem" in flow "rewards" at step "pay" got invalid parameters: points: Expected number, received string\n  hint: see the action\'s parameters in flows/README.md');
  });

  it("PathNotFoundError names the path", () => {
    const e = new PathNotFoundError("flows/nope");
    expectRapportError(e, "PathNotFoundError", "rapport_path_not_found");
    expect(e.message).toBe("flows/nope: no such file or folder");
  });

  it("codes are unique across error classes", () => {
    const codes = [
      new ConfigError("A", "b"), new FlowFileError([]), new UnknownActionError("a", []), new ActionFailedError("a", "f", "s", 1),
      new ContactNotFoundError("r"), new DatabaseUnavailableError(1, 1), new PipelineError("w", 1), new TranscriptFileError("f", 1, "p"),
      new LocaleFileError("f", 1, 1, "p"), new MigrationDriftError("m"), new UsageError("u"), new ActionParamsError("a", "f", "s", "p"), new PathNotFoundError("p"),
      new RecipientUnreachableError("c", "r"), new TelegramSendError("1", "p"), new TelegramSetupError("s", "p", "h"), new WebhookPayloadError(400, "p"),
    ].map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^rapport_[a-z_]+$/);
  });
});
