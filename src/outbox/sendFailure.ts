import { RecipientUnreachableError } from "../core/errors";

/** Node's codes for a network that failed on the way (worth another try later). */
const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "ENETUNREACH", "EHOSTUNREACH", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"]);

/**
 * What a failed send means for the outbox:
 * - `unreachable`: the customer made delivery impossible (blocked the bot); the contact is marked and
 *   their pending messages fail, no retries;
 * - `transient`: the channel or network failed (5xx, connection reset); retried with backoff for
 *   OUTBOX_RETRY_MINUTES. Channels mark such errors `transient: true` (TelegramSendError does);
 * - `permanent`: the channel refused this message (400 Bad Request, a bug); retrying cannot help.
 */
export function classifySendFailure(error: unknown): "unreachable" | "transient" | "permanent" {
  if (error instanceof RecipientUnreachableError) return "unreachable";
  const e = error as { transient?: unknown; code?: unknown; cause?: { code?: unknown } } | undefined;
  if (e?.transient === true) return "transient";
  if (typeof e?.code === "string" && NETWORK_CODES.has(e.code)) return "transient";
  if (typeof e?.cause?.code === "string" && NETWORK_CODES.has(e.cause.code)) return "transient";
  return "permanent";
}
