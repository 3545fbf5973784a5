import { ContactNotFoundError, DatabaseUnavailableError, FlowFileError } from "../../core/errors";
import { CampaignAlreadySentError, CampaignNotFoundError, CampaignStateError } from "../../campaigns/errors";
import { isTransientDbError } from "../../db/retry";
import { UnsupportedCurrencyError } from "../../loyalty/errors";
import { OrderConflictError, RefundError } from "../../loyalty/Purchases";
import { ApiError, InvalidFieldError } from "./errors";
import { AlreadyErasedError } from "../../privacy/errors";

/** Seconds a shop should wait before sending a request again after a 503 for the database. */
const RETRY_AFTER_SECONDS = "5";

/**
 * Maps what the domain throws to the API's answer, or undefined for a real fault (the server
 * answers 500 and logs it). Every mapped error is raised before anything is written, so a 4xx
 * always means "nothing changed; fix the request and send it again". A database that is away
 * (retries spent, or a failure such as Prisma's P1001 that a retry can outlast) is a 503 with
 * Retry-After, not a 500: the shop's client should send the request again (issue #13).
 */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof InvalidFieldError) return new ApiError(error.status, error.apiCode, error.message, error.field);
  if (error instanceof AlreadyErasedError) return new ApiError(409, "already_erased", error.message, "customer");
  if (error instanceof ContactNotFoundError) return new ApiError(404, "unknown_customer", error.message, "customer");
  if (error instanceof OrderConflictError) return new ApiError(409, "order_conflict", error.message, "orderId");
  if (error instanceof RefundError) {
    return error.field === "orderId" ? new ApiError(404, "unknown_order", error.message, "orderId") : new ApiError(422, "refund_refused", error.message, error.field);
  }
  if (error instanceof CampaignNotFoundError) return new ApiError(404, "unknown_campaign", error.message, "campaign");
  if (error instanceof CampaignAlreadySentError) return new ApiError(409, "campaign_already_sent", error.message, "campaign");
  if (error instanceof CampaignStateError) return new ApiError(409, "campaign_state", error.message, "campaign");
  if (error instanceof FlowFileError) return new ApiError(422, "campaign_invalid", error.message, "campaign");
  if (error instanceof UnsupportedCurrencyError) return new ApiError(422, "unsupported_currency", error.message, "currency");
  if (error instanceof DatabaseUnavailableError || isTransientDbError(error)) {
    return new ApiError(503, "database_unavailable", "the database is unavailable; nothing was recorded, send the request again later", undefined, { "retry-after": RETRY_AFTER_SECONDS });
  }
  return undefined;
}
