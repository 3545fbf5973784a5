import { RapportError } from "../core/errors";

/** A ticket id that is not in the database (a stale button, a typo on the command line). */
export class TicketNotFoundError extends RapportError {
  readonly code = "rapport_ticket_not_found";
  constructor(readonly ticketId: string) {
    super(`no ticket "${ticketId}"; \`rapport tickets --all\` lists them`);
  }
}

/** A ticket already resolved, handed back or cancelled: it takes no claim or reply (say so, send nothing). */
export class TicketClosedError extends RapportError {
  readonly code = "rapport_ticket_closed";
  constructor(readonly ticketId: string, readonly status: string) {
    super(`ticket ${ticketId} is ${status.replace("_", " ")} already; nothing was changed or sent\n  hint: the customer can ask for a person again; \`rapport tickets\` lists the open ones`);
  }
}
