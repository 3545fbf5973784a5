import { ContactNotFoundError, DatabaseUnavailableError } from "../../core/errors";
import { OrderConflictError, RefundError } from "../../loyalty/Purchases";
import { ApiError, InvalidFieldError } from "./errors";

/**
 * Maps what the domain throws to the API's answer, or undefined for a real fault (the server
 * answers 500 and logs it). Every mapped error is raised before anything is written, so a 4xx
 * always means "nothing changed; fix the request and send it again".
 */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof InvalidFieldError) return new ApiError(error.status, error.apiCode, error.message, error.field);
  if (error instanceof ContactNotFoundError) return new ApiError(404, "unknown_customer", error.message, "customer");
  if (error instanceof OrderConflictError) return new ApiError(409, "order_conflict", error.message, "orderId");
  if (error instanceof RefundError) {
    return error.field === "orderId" ? new ApiError(404, "unknown_order", error.message, "orderId") : new ApiError(422, "refund_refused", error.message, error.field);
  }
  if (error instanceof DatabaseUnavailableError) {
    return new ApiError(503, "database_unavailable", "the database is unavailable; nothing was recorded, send the request again later", undefined, { "retry-after": "5" });
  }
  return undefined;
}
