import { RapportError } from "../core/errors";

/** A ticket id that is not in the database (a stale button, a typo on the command line). */
export class TicketNotFoundError extends RapportError {
  readonly code = "rapport_ticket_not_found";
  constructor(readonly ticketId: string) {
    super(`no ticket "${ticketId}"; \`rapport tickets --all\` lists them`);
  }
}
