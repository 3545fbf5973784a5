import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ask } from "../../../src/flows/steps/ask";
import { addDays, ENGLISH_WORDS, numericOrder, parseDate, parseTime, resolveBound, type DateWords } from "../../../src/flows/steps/dates";
import { Translator } from "../../../src/i18n/Translator";
import { SUPPORTED_LOCALES } from "../../../src/i18n/locales";
import { stepContext } from "./context";

const locales = Translator.fromDirectory(join(import.meta.dirname, "..", "..", "..", "locales"));
/** The shipped words of a language, as the ask step reads them. */
const words = (lng: string): DateWords => Object.fromEntries(Object.keys(ENGLISH_WORDS).map((k) => [k, locales.t(lng, `dates:words.${k}`)])) as unknown as DateWords;
const TODAY = "2026-11-20"; // a Friday

describe("parseDate", () => {
  it.each([
    ["en", "tomorrow", "2026-11-21"], ["ru", "завтра", "2026-11-21"], ["pl", "jutro", "2026-11-21"], ["vi", "ngày mai", "2026-11-21"],
    ["zh-CN", "明天", "2026-11-21"], ["zh-TW", "後天", "2026-11-22"], ["en", "Today!", "2026-11-20"], ["ru", "через 3 дня", "2026-11-23"],
    ["pl", "za 10 dni", "2026-11-30"], ["zh-CN", "3天后", "2026-11-23"], ["vi", "2 ngày nữa", "2026-11-22"],
  ])("%s reads %j as %s", (lng, text, iso) => {
    expect(parseDate(text, lng, TODAY, words(lng))).toBe(iso);
  });

  it("reads numbers in the order the language writes dates, the year nearest to today when it is left out", () => {
    expect(numericOrder("en")).toBe("md");
    expect(["ru", "pl", "vi"].map(numericOrder)).toEqual(["dm", "dm", "dm"]);
    expect(numericOrder("zh-CN")).toBe("md");
    expect(parseDate("3/12", "en", TODAY, words("en"))).toBe("2027-03-12");
    expect(parseDate("12.03", "ru", TODAY, words("ru"))).toBe("2027-03-12");
    expect(parseDate("12/3", "vi", TODAY, words("vi"))).toBe("2027-03-12");
    expect(parseDate("3/12", "zh-CN", TODAY, words("zh-CN"))).toBe("2027-03-12");
    expect(parseDate("25.11", "pl", TODAY, words("pl"))).toBe("2026-11-25");
    expect(parseDate("12.03.2026", "pl", TODAY, words("pl"))).toBe("2026-03-12");
    expect(parseDate("3/12/27", "en", TODAY, words("en"))).toBe("2027-03-12");
  });

  it("reads ISO dates and month names in each language", () => {
    expect(parseDate("2026-12-01", "en", TODAY, words("en"))).toBe("2026-12-01");
    expect(parseDate("12 March", "en", TODAY, words("en"))).toBe("2027-03-12");
    expect(parseDate("March 12th, 2026", "en", TODAY, words("en"))).toBe("2026-03-12");
    expect(parseDate("12 марта", "ru", TODAY, words("ru"))).toBe("2027-03-12");
    expect(parseDate("12 marca 2027", "pl", TODAY, words("pl"))).toBe("2027-03-12");
    expect(parseDate("ngày 12 tháng 3 năm 2027", "vi", TODAY, words("vi"))).toBe("2027-03-12");
    expect(parseDate("2027年3月12日", "zh-CN", TODAY, words("zh-CN"))).toBe("2027-03-12");
    expect(parseDate("3月12號", "zh-TW", TODAY, words("zh-TW"))).toBe("2027-03-12");
  });

  it("refuses what is not a date", () => {
    for (const text of ["2026-13-45", "31.02", "13/13", "soon", "12", "Feb 30", ""]) expect(parseDate(text, "en", TODAY, words("en")), text).toBeUndefined();
  });

  it("picks a year the question allows when the customer leaves it out", () => {
    expect(parseDate("3/12", "en", TODAY, words("en"), (d) => d <= "2026-12-31")).toBe("2026-03-12");
  });
});

describe("parseTime", () => {
  it.each([
    ["en", "15:30", "15:30"], ["en", "3pm", "15:00"], ["en", "3:30 p.m.", "15:30"], ["en", "at 9", "09:00"], ["en", "12am", "00:00"],
    ["ru", "в 15.30", "15:30"], ["ru", "7 вечера", "19:00"], ["pl", "o 15:30", "15:30"], ["vi", "3 giờ chiều", "15:00"],
    ["vi", "15 giờ 30", "15:30"], ["zh-CN", "下午3点", "15:00"], ["zh-CN", "3点半", "03:30"], ["zh-TW", "晚上8點", "20:00"],
  ])("%s reads %j as %s", (lng, text, hhmm) => {
    expect(parseTime(text, words(lng))).toBe(hhmm);
  });

  it("refuses what is not a time of day", () => {
    for (const text of ["25:00", "12:60", "13pm", "noonish", ""]) expect(parseTime(text, words("en")), text).toBeUndefined();
  });
});

describe("resolveBound", () => {
  it("resolves today, tomorrow and relative bounds, and keeps absolute dates", () => {
    expect(resolveBound("today", TODAY)).toBe(TODAY);
    expect(resolveBound("tomorrow", TODAY)).toBe("2026-11-21");
    expect(resolveBound("+30d", TODAY)).toBe("2026-12-20");
    expect(resolveBound("+2w", TODAY)).toBe("2026-12-04");
    expect(resolveBound("+3m", "2026-11-30")).toBe("2027-02-28");
    expect(resolveBound("-1y", TODAY)).toBe("2025-11-20");
    expect(resolveBound("2027-01-31", TODAY)).toBe("2027-01-31");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
  });
});

describe("ask with type: date or time", () => {
  beforeEach(() => { vi.useFakeTimers({ toFake: ["Date"] }); vi.setSystemTime(new Date("2026-11-20T12:00:00")); });
  afterEach(() => vi.useRealTimers());

  const ctxIn = (lng: string) => ({ ...stepContext({}, { locale: lng }), t: (key: string) => locales.t(lng, key) });
  const spec = (extra: Record<string, unknown>) => ask.schema.parse({ ask: "demo:when", save_as: "when", ...extra });

  it("stores the date as ISO, within min and max", () => {
    const s = spec({ type: "date", min: "tomorrow", max: "+30d" });
    expect(ask.accept!(s, { kind: "text", text: "завтра" }, ctxIn("ru"))).toEqual({ ok: true, value: "2026-11-21" });
    expect(ask.accept!(s, { kind: "text", text: "today" }, ctxIn("en"))).toEqual({ ok: false });
    expect(ask.accept!(s, { kind: "text", text: "2026-13-45" }, ctxIn("en"))).toEqual({ ok: false });
    expect(ask.accept!(s, { kind: "text", text: "1/15" }, ctxIn("en"))).toEqual({ ok: false }); // beyond +30d
  });

  it("stores the time as HH:MM, within min and max", () => {
    const s = spec({ type: "time", min: "09:00", max: "18:00" });
    expect(ask.accept!(s, { kind: "text", text: "下午3点" }, ctxIn("zh-CN"))).toEqual({ ok: true, value: "15:00" });
    expect(ask.accept!(s, { kind: "text", text: "8pm" }, ctxIn("en"))).toEqual({ ok: false });
  });

  it("checks the bounds' form per type, and has a retry text in every language", () => {
    expect(() => spec({ type: "date", min: 5 })).toThrow(/a date question's bound is a date/);
    expect(() => spec({ type: "time", max: "6pm" })).toThrow(/a time question's bound is a time of day/);
    expect(() => spec({ type: "text", min: 1 })).toThrow(/min and max go with number, rating, date and time/);
    for (const lng of SUPPORTED_LOCALES) for (const type of ["date", "time"]) expect(locales.has(lng, `dates:retry.${type}`), `${lng} ${type}`).toBe(true);
  });
});
