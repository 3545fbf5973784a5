import { RapportError } from "../core/errors";

/**
 * A command line the CLI cannot act on (exit status 2); the message says what was wrong and what is
 * accepted. The argument parser's own refusals (unknown option, missing argument) are reported in the
 * same words and with the same status.
 */
export class UsageError extends RapportError {
  readonly code = "rapport_usage";
}
