import { RapportError } from "../../core/errors";

/** The JSON every refused API request gets: a stable code, the field at fault (when there is one), and what to do. */
export interface ApiErrorBody {
  error: string;
  field?: string;
  message: string;
}

/**
 * A refused `/api/v1` request with its HTTP status. Shop developers read these in their integration
 * logs, so `apiCode` is stable (switch on it) and the message says what was wrong and what is accepted.
 */
export class ApiError extends RapportError {
  readonly code = "rapport_api_refused";
  constructor(
    readonly status: number,
    readonly apiCode: string,
    message: string,
    readonly field?: string,
    /** Extra response headers (`WWW-Authenticate`, `Allow`, `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The response body; `field` only when one field is at fault. */
  body(): ApiErrorBody {
    return this.field === undefined ? { error: this.apiCode, message: this.message } : { error: this.apiCode, field: this.field, message: this.message };
  }
}

/** How wrong a field is: absent, malformed, not a field we know (all 400), or well-formed but not acceptable (422). */
export type FieldProblemKind = "missing" | "invalid" | "unknown" | "out_of_range";

/**
 * One field of a purchase or refund (API body or CSV row) is missing or wrong. Shared by the API and
 * `rapport purchases import`, so both accept exactly the same input and word problems the same way.
 */
export class InvalidFieldError extends RapportError {
  readonly code = "rapport_field_invalid";
  constructor(readonly field: string, readonly problem: string, readonly kind: FieldProblemKind) {
    super(`${field}: ${problem}`);
  }

  /** 400 when the request is malformed, 422 when it is well-formed but the value cannot be accepted. */
  get status(): 400 | 422 {
    return this.kind === "out_of_range" ? 422 : 400;
  }

  /** The API code: `missing_field`, `invalid_field`, `unknown_field` or `out_of_range`. */
  get apiCode(): string {
    return this.kind === "out_of_range" ? "out_of_range" : `${this.kind}_field`;
  }
}
