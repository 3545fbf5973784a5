/**
 * Reading dates and times the way customers type them, in their language: "tomorrow", "завтра",
 * "jutro", "ngày mai", "明天"; "12.03" and "3/12" in the order the locale writes dates (en:
 * month first; ru, pl, vi: day first; zh: year, month, day); "12 March", "12 марта", "3月12日";
 * "15:30", "3pm", "下午3点", "3 giờ chiều". Answers are stored as ISO text (`2026-03-12`, `15:30`)
 * so conditions, texts and campaign audiences compare them as plain strings.
 *
 * Words that are not numbers (tomorrow, in 3 days, fillers such as "on"/"в") come from the locale
 * files (`dates:words.*`), so translators extend them like any text; English always works too.
 * Month names come from Intl (CLDR), in both the standalone and the "12 марта" form.
 */

/** The words of one language a date or time answer may use; lists are comma-separated texts. */
export interface DateWords {
  today: string;
  tomorrow: string;
  after_tomorrow: string;
  yesterday: string;
  /** Patterns with # for the number, for "in N days" (`in # days, in # day`). */
  in_days: string;
  /** Words that may stand around a date or time and mean nothing alone ("on", "at", "в", "o"). */
  filler: string;
  /** Times of day that shift an hour to the afternoon ("pm", "chiều", "下午"). */
  afternoon: string;
  /** Times of day that keep an hour in the morning ("am", "sáng", "上午"). */
  morning: string;
}

/** English words: every customer may type these whatever their language. */
export const ENGLISH_WORDS: DateWords = {
  today: "today", tomorrow: "tomorrow, tmrw", after_tomorrow: "day after tomorrow", yesterday: "yesterday",
  in_days: "in # days, in # day", filler: "on, at, the", afternoon: "pm, p.m.", morning: "am, a.m.",
};

const DAY_MS = 86_400_000;

/** Today's date (YYYY-MM-DD) in a time zone (default: the server's, TZ). */
export function todayIn(now = new Date(), timeZone?: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

/** `iso` moved by `days` (calendar arithmetic in UTC, so no time zone shifts it). */
export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return iso8601(year, month, Math.min(d, last))!;
}

/** YYYY-MM-DD for a real calendar date, or undefined (2026-02-30, month 13). */
export function iso8601(year: number, month: number, day: number): string | undefined {
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && year >= 1000 && year <= 9999)) return undefined;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return d.toISOString().slice(0, 10);
}

/** A `min:`/`max:` bound of a date question: `2026-01-31`, `today`, `tomorrow`, or `+30d`, `-1y` (d, w, m, y). */
export const DATE_BOUND = /^(today|tomorrow|\d{4}-\d{2}-\d{2}|[+-]\d{1,4}[dwmy])$/;

/** The date a bound means today. */
export function resolveBound(bound: string, today: string): string {
  if (bound === "today") return today;
  if (bound === "tomorrow") return addDays(today, 1);
  const rel = /^([+-]\d+)([dwmy])$/.exec(bound);
  if (!rel) return bound;
  const n = Number(rel[1]);
  const unit = rel[2]!;
  return unit === "d" ? addDays(today, n) : unit === "w" ? addDays(today, 7 * n) : addMonths(today, unit === "m" ? n : 12 * n);
}

const list = (text: string) => text.split(",").map((w) => normalise(w)).filter(Boolean);

function normalise(text: string): string {
  return text.normalize("NFC").toLowerCase().replace(/[!?。！？,，]+$/u, "").replace(/\s+/g, " ").trim();
}

/** The order a locale writes day and month in numbers: "dm" (12.03) or "md" (3/12). */
export function numericOrder(locale: string): "dm" | "md" {
  const parts = new Intl.DateTimeFormat(locale, { day: "numeric", month: "numeric" }).formatToParts(new Date(Date.UTC(2026, 2, 12, 12)));
  const types = parts.map((p) => p.type).filter((t) => t === "day" || t === "month");
  return types[0] === "month" ? "md" : "dm";
}

/** Month names (1-12) of a locale and English, long and short, standalone and in "12 March" form. */
function monthNames(locale: string): Map<string, number> {
  const names = new Map<string, number>();
  for (const loc of [locale, "en"]) {
    for (let m = 1; m <= 12; m++) {
      const date = new Date(Date.UTC(2026, m - 1, 12, 12));
      for (const month of ["long", "short"] as const) {
        names.set(normalise(new Intl.DateTimeFormat(loc, { month, timeZone: "UTC" }).format(date)).replace(/\.$/, ""), m);
        const part = new Intl.DateTimeFormat(loc, { day: "numeric", month, timeZone: "UTC" }).formatToParts(date).find((p) => p.type === "month");
        if (part) names.set(normalise(part.value).replace(/\.$/, ""), m);
      }
    }
  }
  for (const name of [...names.keys()]) if (/^\d/.test(name) || name.length < 3) names.delete(name);
  return names;
}

function monthOf(token: string, names: Map<string, number>): number | undefined {
  const t = token.replace(/\.$/, "");
  if (names.has(t)) return names.get(t);
  if (t.length < 3) return undefined;
  const hits = new Set([...names].filter(([n]) => n.startsWith(t) || (t.startsWith(n) && n.length >= 3)).map(([, m]) => m));
  return hits.size === 1 ? [...hits][0] : undefined;
}

/** Without a year, the year that puts the date nearest to today (12.03 in November is next March). */
function nearestYear(month: number, day: number, today: string, fits: (iso: string) => boolean): string | undefined {
  const year = Number(today.slice(0, 4));
  const candidates = [year, year + 1, year - 1].map((y) => iso8601(y, month, day)).filter((d): d is string => d !== undefined);
  const distance = (d: string) => Math.abs(Date.parse(d) - Date.parse(today));
  const sorted = candidates.sort((a, b) => distance(a) - distance(b));
  return sorted.find(fits) ?? sorted[0];
}

function fullYear(y: string): number {
  return y.length === 2 ? 2000 + Number(y) : Number(y);
}

/**
 * The ISO date a customer means, or undefined. `fits` says whether a candidate is within the
 * question's min/max, so "12.03" without a year picks the year that the question allows.
 */
export function parseDate(text: string, locale: string, today: string, words: DateWords, fits: (iso: string) => boolean = () => true): string | undefined {
  const all = [words, ENGLISH_WORDS];
  let t = normalise(text);
  const relative: [keyof DateWords, number][] = [["today", 0], ["tomorrow", 1], ["after_tomorrow", 2], ["yesterday", -1]];
  for (const [key, days] of relative) if (all.some((w) => list(w[key]).includes(t))) return addDays(today, days);
  for (const w of all) {
    for (const pattern of list(w.in_days)) {
      const re = new RegExp(`^${pattern.split("#").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("(\\d{1,3})")}$`, "u");
      const m = re.exec(t);
      if (m) return addDays(today, Number(m[1]));
    }
  }
  const fillers = new Set(all.flatMap((w) => list(w.filler)));
  t = t.split(" ").filter((x) => !fillers.has(x)).join(" ");
  for (const [key, days] of relative) if (all.some((w) => list(w[key]).includes(t))) return addDays(today, days);
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(t);
  if (m) return iso8601(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]?$/u.exec(t);
  if (m) return m[1] ? iso8601(Number(m[1]), Number(m[2]), Number(m[3])) : nearestYear(Number(m[2]), Number(m[3]), today, fits);
  m = /^(?:ngày\s*)?(\d{1,2})\s*tháng\s*(\d{1,2})(?:\s*(?:năm\s*)?(\d{4}))?$/u.exec(t);
  if (m) return m[3] ? iso8601(Number(m[3]), Number(m[2]), Number(m[1])) : nearestYear(Number(m[2]), Number(m[1]), today, fits);
  m = /^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?\.?$/.exec(t);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    const [month, day] = numericOrder(locale) === "md" ? [a, b] : [b, a];
    return m[3] ? iso8601(fullYear(m[3]), month, day) : nearestYear(month, day, today, fits);
  }
  const names = monthNames(locale);
  const tokens = t.replace(/,/g, " ").split(" ").filter(Boolean);
  if (tokens.length === 2 || tokens.length === 3) {
    const dayAt = tokens.findIndex((x) => /^\d{1,2}(st|nd|rd|th|\.)?$/.test(x));
    const monthAt = tokens.findIndex((x, i) => i !== dayAt && monthOf(x, names) !== undefined);
    const yearAt = tokens.findIndex((x) => /^\d{4}$/.test(x));
    if (dayAt >= 0 && monthAt >= 0 && (tokens.length === 2 || yearAt >= 0)) {
      const day = parseInt(tokens[dayAt]!, 10);
      const month = monthOf(tokens[monthAt]!, names)!;
      return yearAt >= 0 ? iso8601(Number(tokens[yearAt]), month, day) : nearestYear(month, day, today, fits);
    }
  }
  return undefined;
}

/** HH:MM for a valid time of day, or undefined. */
function hhmm(hour: number, minute: number): string | undefined {
  if (!(hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59)) return undefined;
  return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

/** A `min:`/`max:` bound of a time question. */
export const TIME_BOUND = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The time of day (HH:MM, 24-hour) a customer means, or undefined. */
export function parseTime(text: string, words: DateWords): string | undefined {
  const all = [words, ENGLISH_WORDS];
  const pm = all.flatMap((w) => list(w.afternoon));
  const am = all.flatMap((w) => list(w.morning));
  const fillers = new Set(all.flatMap((w) => list(w.filler)));
  let t = normalise(text).split(" ").filter((x) => !fillers.has(x)).join(" ");
  let shift: "am" | "pm" | undefined;
  for (const [words2, kind] of [[pm, "pm"], [am, "am"]] as const) {
    for (const w of words2.sort((a, b) => b.length - a.length)) {
      const escaped = w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const re = new RegExp(`(^|\\s|\\d)${escaped}(?=$|\\s|\\d)`, "u");
      if (re.test(t)) { shift = kind; t = t.replace(re, "$1 ").trim(); break; }
    }
    if (shift) break;
  }
  t = t.replace(/\s+/g, " ").trim();
  // 15:30, 15.30, 15h30, 15h, 15 giờ 30, 15点30分, 3点半, 15 ч 30, 15
  const m = /^(\d{1,2})(?:\s*(?:[:.hg]|giờ|ч|点|點|時)\s*(\d{2}|半)?\s*(?:分|phút|мин)?)?$/u.exec(t);
  if (!m) return undefined;
  let hour = Number(m[1]);
  const minute = m[2] === "半" ? 30 : m[2] ? Number(m[2]) : 0;
  if (shift) {
    if (hour < 1 || hour > 12) return undefined; // "13pm" is not a time
    if (shift === "pm" && hour < 12) hour += 12;
    if (shift === "am" && hour === 12) hour = 0;
  }
  return hhmm(hour, minute);
}
