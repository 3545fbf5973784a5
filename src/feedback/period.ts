import { parseIsoInstant } from "../core/isoInstant";
import { RapportError } from "../core/errors";

/** A reporting period: `from` inclusive, `to` exclusive, so consecutive periods never count a row twice. */
export interface Period {
  from: Date;
  to: Date;
}

/** Which end of the period a problem is about; the CLI says `--from`, the API says `from`. */
export type PeriodField = "from" | "to";

/** How long a period is when only one end (or neither) is given. */
export const DEFAULT_PERIOD_DAYS = 30;

const DAY_MS = 86_400_000;
const HINT = "use YYYY-MM-DD (a UTC day) or an ISO 8601 date-time with a zone, e.g. 2024-05-01T10:00:00Z";
/** A day on its own (YYYY-MM-DD), as opposed to a date-time. */
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A `from`/`to` the report cannot use. Shared by `rapport report` and `GET /api/v1/report`, which
 * name the field their own way (`--from` vs `from`), hence `describe`.
 */
export class PeriodError extends RapportError {
  readonly code = "rapport_period_invalid";
  constructor(readonly field: PeriodField, private readonly wording: (name: (field: PeriodField) => string) => string) {
    super(`${field}: ${wording((f) => f)}`);
  }

  /** What is wrong, without the field in front, naming fields as the caller's user types them (e.g. `(f) => "--" + f`). */
  problem(name: (field: PeriodField) => string = (f) => f): string {
    return this.wording(name);
  }

  /** The whole message, fields named as the caller's user types them: `--from: "2024-13-01" is not a real date; …`. */
  describe(name: (field: PeriodField) => string): string {
    return `${name(this.field)}: ${this.wording(name)}`;
  }
}

/**
 * Turns the report's `from`/`to` text into a Period. Both accept a day (`2024-05-01`, read as UTC) or
 * an ISO 8601 date-time with a zone. A day given as `to` means the END of that day (the next UTC
 * midnight, exclusive), so `--from 2024-05-01 --to 2024-05-31` is all of May, as a person means it.
 * Defaults: `to` = now, `from` = `to` − 30 days. Blank text counts as not given. Throws PeriodError
 * for an unreadable date or when `from` is not before `to`.
 */
export function parsePeriod(input: { from?: string; to?: string }, now = new Date()): Period {
  const to = blank(input.to) ? now : endOf(parseInstant("to", input.to!.trim()));
  const from = blank(input.from) ? new Date(to.getTime() - DEFAULT_PERIOD_DAYS * DAY_MS) : parseInstant("from", input.from!.trim()).at;
  if (from.getTime() >= to.getTime()) {
    const end = blank(input.to) ? "now" : `${to.toISOString()}${DATE.test(input.to!.trim()) ? `, the end of ${input.to!.trim()}` : ""}`;
    throw new PeriodError("from", (name) => `${from.toISOString()} is not before ${name("to")} (${end}); the period starts at ${name("from")} and ends before ${name("to")}`);
  }
  return { from, to };
}

const blank = (s: string | undefined) => s === undefined || s.trim() === "";

/** A day's end is the next midnight; a date-time is its own end. */
function endOf(parsed: { at: Date; dayOnly: boolean }): Date {
  return parsed.dayOnly ? new Date(parsed.at.getTime() + DAY_MS) : parsed.at;
}

/** Parses a day (UTC midnight) or a zoned date-time, refusing impossible ones (2024-02-30) instead of rolling over. */
function parseInstant(field: PeriodField, s: string): { at: Date; dayOnly: boolean } {
  const parsed = parseIsoInstant(s);
  if (parsed.ok) return parsed;
  if (parsed.problem === "format") throw new PeriodError(field, () => `"${s}" is not a date; ${HINT}`);
  if (parsed.problem === "zone") throw new PeriodError(field, () => `"${s}" has no time zone; add Z or an offset such as +02:00`);
  throw new PeriodError(field, () => `"${s}" is not a real date; ${HINT}`);
}
