import { parseIsoInstant } from "../../core/isoInstant";
import { InvalidFieldError } from "./errors";
import { checkBody, checkValue, fail, isBlank, listOf, objectOf, optional, type Check } from "./fieldChecks";

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
  /** The order's lines as sent; empty when the shop sent none. */
  items: ItemRequest[];
}

/** One line of an order (`items[n]`): what was bought, how many, at what unit price. */
export interface ItemRequest {
  sku: string;
  name: string;
  quantity: number;
  /** Hundredths of the order's currency unit; 0 for a free item. */
  unitPriceMinor: number;
}

/** At most this many lines per order: a shop's largest baskets, not a bulk upload through one order. */
export const MAX_ITEMS = 200;

/** The largest quantity of one line: a 32-bit column, and no shop sells more in one order line. */
export const MAX_QUANTITY = 1_000_000;

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

const amountMinor: Check<number> = (v) => money(v, false);

/** A unit price: like an amount, but a free item (0) is a price too. */
const unitPriceMinor: Check<number> = (v) => money(v, true);

function money(v: unknown, zeroAllowed: boolean): number {
  if (isBlank(v)) return fail("missing", "is required");
  if (typeof v !== "number" && typeof v !== "string") return fail("invalid", "must be a number such as 19.99");
  const s = String(v).trim();
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return fail("invalid", `"${s}" is not a number; use digits with a dot for decimals, e.g. 19.99`);
  if ((m[3] ?? "").length > 2) return fail("invalid", `"${s}" has more than 2 decimals; amounts are in currency units, e.g. 19.99`);
  const minor = BigInt(m[2]!) * 100n + BigInt((m[3] ?? "").padEnd(2, "0"));
  if (m[1] === "-" && minor !== 0n) return fail("out_of_range", `must be ${zeroAllowed ? "0 or more" : "more than 0"}, got ${s}`);
  if (minor === 0n && !zeroAllowed) return fail("out_of_range", `must be more than 0, got ${s}`);
  if (minor > BigInt(MAX_AMOUNT_MINOR)) return fail("out_of_range", `${s} is more than the largest accepted amount, ${MAX_AMOUNT_MINOR / 100}`);
  return Number(minor);
}

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

/** A required piece of text, trimmed, 1-max characters (an item's name). */
const text = (max: number): Check<string> => (v) => {
  if (isBlank(v)) return fail("missing", "is required");
  if (typeof v !== "string") return fail("invalid", "must be a string");
  const s = v.trim();
  return s.length > max ? fail("invalid", `is ${s.length} characters long; at most ${max} are accepted`) : s;
};

/** A whole number of pieces, 1 or more; "2" from a CSV cell is 2. */
const quantity: Check<number> = (v) => {
  if (isBlank(v)) return fail("missing", "is required");
  const s = typeof v === "number" || typeof v === "string" ? String(v).trim() : undefined;
  if (s === undefined || !/^[+-]?\d+$/.test(s)) return fail("invalid", `must be a whole number such as 2, got ${JSON.stringify(v)}`);
  const n = Number(s);
  if (n < 1) return fail("out_of_range", `must be 1 or more, got ${s}`);
  return n > MAX_QUANTITY ? fail("out_of_range", `${s} is more than the largest accepted quantity, ${MAX_QUANTITY}`) : n;
};

/**
 * One order line, `{ sku, name, quantity, unitPrice }`. The API checks it inside `items`
 * (problems named `items[2].quantity`); the CSV import checks each row's item columns with it.
 */
export const itemBody = objectOf({
  sku: identifier(100, true),
  name: text(200),
  quantity,
  unitPrice: unitPriceMinor,
});

const purchaseBody = objectOf({
  customer: identifier(200),
  orderId: identifier(100, true),
  amount: amountMinor,
  currency,
  occurredAt,
  items: optional(listOf(itemBody, MAX_ITEMS)),
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
  const { amount, occurredAt: at, items, ...rest } = checkBody(purchaseBody, body);
  return { ...rest, amountMinor: amount, occurredAt: plausible(at ?? now, now, "occurredAt"), items: (items ?? []).map(toItem) };
}

/** An item as checked by itemBody, with its price in hundredths. */
export function toItem(i: ReturnType<typeof itemBody>): ItemRequest {
  return { sku: i.sku, name: i.name, quantity: i.quantity, unitPriceMinor: i.unitPrice };
}

/** Validates a refund body; throws InvalidFieldError naming the first bad field, as parsePurchase does. */
export function parseRefund(body: unknown): RefundRequest {
  const { orderId, amount, refundId } = checkBody(refundBody, body);
  return { orderId, amountMinor: amount, ...(refundId ? { refundId } : {}) };
}
