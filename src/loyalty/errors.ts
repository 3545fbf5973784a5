import { RapportError } from "../core/errors";

/** A redeem (or negative adjustment) larger than the balance: refused, nothing written. */
export class InsufficientPointsError extends RapportError {
  readonly code = "rapport_points_insufficient";
  constructor(readonly contactId: string, readonly requested: number, readonly balance: number) {
    super(`contact ${contactId} has ${balance} points; ${requested} were requested. Nothing was deducted.`);
  }
}
