/**
 * Rapport's errors: one named class per failure, each with a stable `code` (for logs and APIs) and a
 * message that says what went wrong, where, and what to do (bolt's src/errors.ts, grammY's BotError).
 */
export abstract class RapportError extends Error {
  /** Stable identifier such as "rapport_flow_invalid"; never reworded. */
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A setting from the environment is missing or malformed. Names the variable and the fix. */
export class ConfigError extends RapportError {
  readonly code = "rapport_config_invalid";
  constructor(readonly variable: string, problem: string, hint?: string) {
    super(`${variable}: ${problem}${hint ? `\n  hint: ${hint}` : ""}`);
  }
}

/** One problem found in a flow file, positioned so an editor can jump to it. */
export interface FlowProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** Formats a problem the way compilers do, `file:line:col: message`, so editors and CI link it. */
export function formatProblem(p: FlowProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** A flow file (or set of them) failed validation. Marketers read this, so it lists every problem. */
export class FlowFileError extends RapportError {
  readonly code = "rapport_flow_invalid";
  constructor(readonly problems: FlowProblem[]) {
    super(problems.map(formatProblem).join("\n"));
  }
}

/** A flow names an action that no module registered. */
export class UnknownActionError extends RapportError {
  readonly code = "rapport_action_unknown";
  constructor(readonly action: string, known: string[]) {
    super(`unknown action "${action}"; registered actions: ${known.join(", ") || "(none)"}`);
  }
}

/** A flow passed parameters an action does not accept; names the action, the flow and the step. */
export class ActionParamsError extends RapportError {
  readonly code = "rapport_action_params";
  constructor(readonly action: string, readonly flowId: string, readonly stepId: string, problems: string) {
    super(`action "${action}" in flow "${flowId}" at step "${stepId}" got invalid parameters: ${problems}\n  hint: see the action's parameters in flows/README.md`);
  }
}

/** A registered action threw while a flow ran it; wraps the cause with where it happened. */
export class ActionFailedError extends RapportError {
  readonly code = "rapport_action_failed";
  constructor(readonly action: string, readonly flowId: string, readonly stepId: string, cause: unknown) {
    super(`action "${action}" failed in flow "${flowId}" at step "${stepId}": ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A `<channel>:<id>` or contact id did not match any contact. */
export class ContactNotFoundError extends RapportError {
  readonly code = "rapport_contact_not_found";
  constructor(readonly reference: string) {
    super(`no contact matches "${reference}"; use a contact id or <channel>:<external id>, e.g. terminal:alice or telegram:123456`);
  }
}

/** The database could not be reached or answered with a transient failure after all retries. */
export class DatabaseUnavailableError extends RapportError {
  readonly code = "rapport_db_unavailable";
  constructor(readonly attempts: number, cause: unknown) {
    super(`database unavailable after ${attempts} attempts: ${cause instanceof Error ? cause.message : String(cause)}\n  hint: check DATABASE_URL and that the database server is running`, { cause });
  }
}

/**
 * A message that cannot be stored yet, for a reason that passes within moments (a staff reply in the
 * thread of a ticket card Slack has and Rapport is still recording): like an outage, it is left
 * unacknowledged so it is delivered again (isNotStored), not dropped.
 */
export class NotStoredYetError extends RapportError {
  readonly code = "rapport_not_stored_yet";
  constructor(reason: string) {
    super(`not stored yet: ${reason}; it is taken again when delivered again`);
  }
}

/** Handling an inbound event failed outside any flow step; carries the contact and event for the log. */
export class PipelineError extends RapportError {
  readonly code = "rapport_pipeline_failed";
  constructor(readonly where: string, cause: unknown) {
    super(`handling ${where} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A transcript file for `rapport flows test` is malformed. */
export class TranscriptFileError extends RapportError {
  readonly code = "rapport_transcript_invalid";
  constructor(readonly file: string, readonly line: number, problem: string) {
    super(`${file}:${line}: ${problem}`);
  }
}

/** A file or folder named on the command line does not exist. */
export class PathNotFoundError extends RapportError {
  readonly code = "rapport_path_not_found";
  constructor(readonly path: string) {
    super(`${path}: no such file or folder`);
  }
}

/**
 * A channel could not deliver because the customer made that impossible (blocked the bot, deleted
 * their account). Channels throw it from `send`; the engine marks the contact unreachable and does
 * not retry, so a blocked bot never loops on a customer who left.
 */
export class RecipientUnreachableError extends RapportError {
  readonly code = "rapport_recipient_unreachable";
  constructor(readonly channel: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`${channel}: the customer cannot be reached (${reason}); they are marked unreachable until they write again`, options);
  }
}
