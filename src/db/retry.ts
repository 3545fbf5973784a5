import { DatabaseUnavailableError } from "../core/errors";
import { telemetry } from "../core/telemetry";

/**
 * SQLite lock codes, PostgreSQL/Node connection failures and Prisma's connection errors (P1001 can't
 * reach the server, P1002 it timed out, P1008 an operation timed out, P1017 the server closed the
 * connection, P2024 no pooled connection in time) that a retry can outlast. 57014 is a statement
 * cancelled by `statement_timeout`, and "Query read timeout" pg's own limit when the server cannot
 * be heard (Database.ts, PG_LIMITS): a stalled connection, or a lock held too long. "timeout expired"
 * is pg's own bound on opening a connection (connectionTimeoutMillis on the client).
 */
const TRANSIENT_CODES = new Set([
  "SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_LOCKED", "SQLITE_IOERR",
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN",
  "57P01", "57P02", "57P03", "53300", "40001", "40P01", "08000", "08003", "08006", "08001", "08004", "57014",
  "P1001", "P1002", "P1008", "P1017", "P2024",
]);

/** What Prisma's driver adapters report (meta.driverAdapterError.cause.kind) when the connection, not the query, failed. */
const TRANSIENT_ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

/** True for failures that are worth retrying: the database is busy, restarting or briefly away. */
export function isTransientDbError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && TRANSIENT_CODES.has(code)) return true;
    const kind = (e as { meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } }).meta?.driverAdapterError?.cause?.kind;
    if (typeof kind === "string" && TRANSIENT_ADAPTER_KINDS.has(kind)) return true;
    const message = e instanceof Error ? e.message : "";
    if (/Connection terminated|connection (refused|closed)|database is locked|timeout exceeded when trying to connect|^timeout expired$|Query read timeout/i.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** How long to keep retrying; tests shorten it. */
export interface RetryOptions {
  /** Total time budget in milliseconds (default 30 s). */
  budgetMs?: number;
  /** First delay; doubles each attempt up to 1 s. */
  firstDelayMs?: number;
  onRetry?: (attempt: number, error: unknown) => void;
}

/**
 * Runs `fn`, retrying transient database failures with backoff until the budget is spent. A message
 * that arrives while the database restarts is delayed, not dropped (issue #3, "Bad input").
 */
export function withDbRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  // The first attempt without an async frame of its own: the hot path makes several calls per
  // message and nearly all of them succeed at once. The budget counts from here, as before.
  const started = Date.now();
  let first: Promise<T>;
  try {
    first = fn();
  } catch (error) {
    first = Promise.reject(error);
  }
  return (first instanceof Promise ? first : Promise.resolve(first)).catch((error: unknown) => retryAfter(fn, options, started, error));
}

/** The retries after a failed first attempt (withDbRetry): `error` is the last attempt's failure. */
async function retryAfter<T>(fn: () => Promise<T>, options: RetryOptions, started: number, error: unknown): Promise<T> {
  const budget = options.budgetMs ?? 30_000;
  let delay = options.firstDelayMs ?? 5;
  for (let attempt = 1; ; attempt++) {
    const transient = isTransientDbError(error);
    if (transient || isPermanentDbError(error)) telemetry.dbError(transient);
    if (!transient) throw error;
    if (Date.now() - started + delay > budget) throw new DatabaseUnavailableError(attempt, error);
    options.onRetry?.(attempt, error);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 1000);
    try {
      return await fn();
    } catch (next) {
      error = next;
    }
  }
}

/**
 * A failure the database reported that a retry will not cure (a bad statement, a missing table, a
 * full disk), for the metrics. A unique violation is not one: idempotent writes answer it as a repeat.
 * Errors of Rapport's own (codes rapport_…) and of domain code are not the database's.
 */
function isPermanentDbError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || isUniqueViolation(error)) return false;
  return /^P\d{4}$/.test(code) || code.startsWith("SQLITE_") || /^[0-9A-Z]{5}$/.test(code);
}

/**
 * A unique constraint refused a row (Prisma's P2002): for idempotent writes this means "done
 * before" (the same key, order id or code), which callers answer as a repeat, not an error.
 */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "P2002";
}
