import { RapportError } from "../core/errors";

/** A redeem (or negative adjustment) larger than the balance: refused, nothing written. */
export class InsufficientPointsError extends RapportError {
  readonly code = "rapport_points_insufficient";
  constructor(readonly contactId: string, readonly requested: number, readonly balance: number) {
    super(`contact ${contactId} has ${balance} points; ${requested} were requested. Nothing was deducted.`);
  }
}

/**
 * A purchase in a currency the loyalty rules do not list (issue #13: 100,000 JPY earned 100,000
 * points). Refused before anything is written; the operator adds the currency and its rate to
 * `currencies:` in flows/loyalty.yaml if the shop takes it.
 */
export class UnsupportedCurrencyError extends RapportError {
  readonly code = "rapport_currency_unsupported";
  constructor(readonly currency: string, readonly accepted: string[]) {
    super(`currency: ${currency} is not accepted; purchases may be in ${accepted.join(", ")} (the currencies in flows/loyalty.yaml)`);
  }
}
