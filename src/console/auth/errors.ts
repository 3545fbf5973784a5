import { RapportError } from "../../core/errors";

/** A console user could not be added or removed as asked; the message says what to change. */
export class ConsoleUserError extends RapportError {
  readonly code = "rapport_console_user_invalid";
}
