import { parseIsoInstant } from "../../core/isoInstant";
import { InvalidFieldError } from "./errors";
import { checkBody, checkValue, fail, isBlank, objectOf, optional, type Check } from "./fieldChecks";

/** A purchase as the API and the CSV import accept it, before the customer is resolved to a contact. */
export interface PurchaseRequest {
  /** A contact id or `<channel>:<external id>`. */
  customer: string;
  orderId: string;
  /** Hundredths of the currency unit. */
  amountMinor: number;
  /** ISO 4217 code, upper case; whether Rapport takes it is for the loyalty rules (PurchaseBook) to say. */
  currency: string;
  occurredAt: Date;
}

/** A (partial) refund of an order. */
export interface RefundRequest {
  orderId: string;
  amountMinor: number;
  /** The shop's own refund id: makes two equal partial refunds count twice (without it they are one). */
  refundId?: string;
}

/** The largest amount a purchase may have: the `amount_minor` column is a 32-bit integer on PostgreSQL. */
export const MAX_AMOUNT_MINOR = 2_147_483_647;

/** How far ahead of the server's clock `occurredAt` may be (shop clocks and time zones drift). */
const FUTURE_SLACK_MS = 86_400_000;

/** The earliest `occurredAt` accepted: older dates are placeholders or typos, not purchases. */
export const EARLIEST_OCCURRED_AT = new Date("2000-01-01T00:00:00Z");

/** A required identifier, trimmed, 1-max characters; order ids may also be whole numbers, as shops often send them. */
const identifier = (max: number, numbers = false): Check<string> => (v) => {
  if (isBlank(v)) return fail("missing", "is required");
  if (typeof v !== "string" && !(numbers && typeof v === "number" && Number.isSafeInteger(v))) return fail("invalid", numbers ? "must be a string or a whole number" : "must be a string");
  const s = String(v).trim();
  return s.length > max ? fail("invalid", `is ${s.length} characters long; at most ${max} are accepted`) : s;
};

/**
 * Parses an amount in currency units (JSON number or numeric string, at most 2 decimals) into
 * hundredths with string arithmetic: `19.99 * 100` is 1998.9999999999998 in floating point.
 */
export function parseAmountMinor(value: unknown, name = "amount"): number {
  return checkValue(name, amountMinor, value);
}

const amountMinor: Check<number> = (v) => {
  if (isBlank(v)) return fail("missing", "is required");
  if (typeof v !== "number" && typeof v !== "string") return fail("invalid", "must be a number such as 19.99");
  const s = String(v).trim();
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return fail("invalid", `"${s}" is not a number; use digits with a dot for decimals, e.g. 19.99`);
  if ((m[3] ?? "").length > 2) return fail("invalid", `"${s}" has more than 2 decimals; amounts are in currency units, e.g. 19.99`);
  const minor = BigInt(m[2]!) * 100n + BigInt((m[3] ?? "").padEnd(2, "0"));
  if (minor === 0n || m[1] === "-") return fail("out_of_range", `must be more than 0, got ${s}`);
  if (minor > BigInt(MAX_AMOUNT_MINOR)) return fail("out_of_range", `${s} is more than the largest accepted amount, ${MAX_AMOUNT_MINOR / 100}`);
  return Number(minor);
};

const currency: Check<string> = (v) => {
  if (isBlank(v)) return fail("missing", "is required");
  if (typeof v !== "string" || !/^[A-Za-z]{3}$/.test(v.trim())) return fail("invalid", `must be a 3-letter ISO 4217 code such as EUR, got ${JSON.stringify(v)}`);
  return v.trim().toUpperCase();
};

/**
 * Parses an ISO 8601 date (UTC midnight) or date-time with a zone; default now. A date-time without
 * a zone is refused rather than read in the server's time zone, which the shop cannot know.
 */
export function parseOccurredAt(value: unknown, now = new Date(), name = "occurredAt"): Date {
  return plausible(checkValue(name, occurredAt, value) ?? now, now, name);
}

/**
 * Refuses a time more than a day past the server's clock (a typo in the year, a wrong time zone)
 * or before 2000 (`0001-01-01`, a shop's "no date" placeholder: issue #13), which would skew
 * recency segments and expiry.
 */
function plausible(at: Date, now: Date, name: string): Date {
  if (at.getTime() < EARLIEST_OCCURRED_AT.getTime()) {
    throw new InvalidFieldError(name, `${at.toISOString()} is before ${EARLIEST_OCCURRED_AT.toISOString().slice(0, 10)}, the earliest date accepted; send the date the purchase was made`, "out_of_range");
  }
  if (at.getTime() <= now.getTime() + FUTURE_SLACK_MS) return at;
  throw new InvalidFieldError(name, `${at.toISOString()} is more than a day in the future (server time ${now.toISOString()})`, "out_of_range");
}

/** The date itself, undefined when blank; parseOccurredAt adds the default and the range check. */
const occurredAt: Check<Date | undefined> = (v) => {
  if (isBlank(v)) return undefined;
  const hint = "use ISO 8601, e.g. 2024-05-01T14:30:00Z or 2024-05-01";
  if (typeof v !== "string") return fail("invalid", `must be a string; ${hint}`);
  const s = v.trim();
  const parsed = parseIsoInstant(s);
  if (parsed.ok) return parsed.at;
  if (parsed.problem === "format") return fail("invalid", `"${s}" is not an ISO 8601 date; ${hint}`);
  if (parsed.problem === "zone") return fail("invalid", `"${s}" has no time zone; add Z or an offset such as +02:00`);
  return fail("invalid", `"${s}" is not a real date and time; ${hint}`);
};

const purchaseBody = objectOf({
  customer: identifier(200),
  orderId: identifier(100, true),
  amount: amountMinor,
  currency,
  occurredAt,
});
const refundBody = objectOf({
  orderId: identifier(100, true),
  amount: amountMinor,
  refundId: optional(identifier(100, true)),
});

/**
 * Validates a purchase (API body or CSV row); throws InvalidFieldError naming the first bad field:
 * NUL or a lone surrogate anywhere, an unknown field, then the fields in the order above.
 */
export function parsePurchase(body: unknown, now = new Date()): PurchaseRequest {
  const { amount, occurredAt: at, ...rest } = checkBody(purchaseBody, body);
  return { ...rest, amountMinor: amount, occurredAt: plausible(at ?? now, now, "occurredAt") };
}

/** Validates a refund body; throws InvalidFieldError naming the first bad field, as parsePurchase does. */
export function parseRefund(body: unknown): RefundRequest {
  const { orderId, amount, refundId } = checkBody(refundBody, body);
  return { orderId, amountMinor: amount, ...(refundId ? { refundId } : {}) };
}
