import { RapportError } from "../core/errors";

/** The contact was erased before; there is nothing personal left to erase or export. */
export class AlreadyErasedError extends RapportError {
  readonly code = "rapport_contact_erased";
  constructor(readonly contactId: string, readonly erasedAt: Date) {
    super(`contact ${contactId} is what remains of a person erased at ${erasedAt.toISOString()}: only accounting rows under this pseudonymous id; nothing personal is left to export or erase`);
  }
}
