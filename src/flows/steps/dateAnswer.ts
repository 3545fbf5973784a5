import type { AnswerCheck, StepContext } from "../types";
import { parseDate, parseTime, resolveBound, todayIn, type DateWords } from "./dates";

const WORD_KEYS: (keyof DateWords)[] = ["today", "tomorrow", "after_tomorrow", "yesterday", "in_days", "filler", "afternoon", "morning"];

/** The customer's language's date words (`dates:words.*`), translated like any text. */
function wordsOf(ctx: Pick<StepContext, "t">): DateWords {
  return Object.fromEntries(WORD_KEYS.map((k) => [k, ctx.t(`dates:words.${k}`)])) as unknown as DateWords;
}

/**
 * Checks a date or time answer: read in the customer's language, then kept within `min`/`max`
 * (relative bounds such as +30d are resolved against today, in the server's time zone). The value
 * stored is ISO: YYYY-MM-DD or HH:MM.
 */
export function acceptDateOrTime(type: "date" | "time", min: string | undefined, max: string | undefined, text: string, ctx: Pick<StepContext, "t" | "contact">): AnswerCheck {
  const words = wordsOf(ctx);
  if (type === "time") {
    const time = parseTime(text, words);
    if (!time || (min !== undefined && time < min) || (max !== undefined && time > max)) return { ok: false };
    return { ok: true, value: time };
  }
  const today = todayIn();
  const lo = min !== undefined ? resolveBound(min, today) : undefined;
  const hi = max !== undefined ? resolveBound(max, today) : undefined;
  const fits = (d: string) => (lo === undefined || d >= lo) && (hi === undefined || d <= hi);
  const date = parseDate(text, ctx.contact.locale, today, words, fits);
  return date && fits(date) ? { ok: true, value: date } : { ok: false };
}
