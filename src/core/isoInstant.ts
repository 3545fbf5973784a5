const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** A parsed instant, or why the text is not one: not ISO 8601, a date-time without a zone, or no real date (2024-02-30). */
export type IsoInstant = { ok: true; at: Date; dayOnly: boolean } | { ok: false; problem: "format" | "zone" | "range" };

/**
 * Parses an ISO 8601 day (UTC midnight) or date-time with a zone. A date-time without a zone is
 * refused rather than read in the server's time zone, which the sender cannot know; impossible dates
 * are refused instead of rolling over. Shared by the purchases API and report periods, which word
 * the refusal for their own callers.
 */
export function parseIsoInstant(text: string): IsoInstant {
  const m = ISO.exec(text);
  if (!m) return { ok: false, problem: "format" };
  const [, y, mo, d, h = "00", mi = "00", sec = "00", frac = "", zone] = m;
  const dayOnly = m[4] === undefined;
  if (!dayOnly && zone === undefined) return { ok: false, problem: "zone" };
  const offset = !zone || zone.toUpperCase() === "Z" ? "Z" : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const days = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate(); // days in that month
  const inRange = Number(mo) >= 1 && Number(mo) <= 12 && Number(d) >= 1 && Number(d) <= days && Number(h) <= 23 && Number(mi) <= 59 && Number(sec) <= 59
    && (offset === "Z" || (Number(offset.slice(1, 3)) <= 23 && Number(offset.slice(4)) <= 59));
  const at = new Date(`${y}-${mo}-${d}T${h}:${mi}:${sec}.${frac.padEnd(3, "0").slice(0, 3)}${offset}`);
  return !inRange || Number.isNaN(at.getTime()) ? { ok: false, problem: "range" } : { ok: true, at, dayOnly };
}
