/** The locales Rapport ships; every text key must exist in each (the linter enforces it). */
export const SUPPORTED_LOCALES = ["en", "ru", "pl", "vi", "zh-CN", "zh-TW"] as const;

/** One of the supported locales. */
export type Locale = (typeof SUPPORTED_LOCALES)[number];

/**
 * Maps whatever a channel reports (Telegram's `language_code`, `--locale`) onto a supported locale:
 * zh-hant/zh-tw/zh-hk → zh-TW, other zh → zh-CN, a known base language → it, anything else → en.
 */
export function resolveLocale(hint: string | undefined | null, fallback: Locale = "en"): Locale {
  if (!hint) return fallback;
  const h = hint.trim().toLowerCase().replace(/_/g, "-");
  if (h === "zh" || h.startsWith("zh-")) return /^(zh-(hant|tw|hk|mo))/.test(h) ? "zh-TW" : "zh-CN";
  const base = h.split("-")[0];
  const hit = SUPPORTED_LOCALES.find((l) => l.toLowerCase() === base);
  return hit ?? fallback;
}

/** True when `value` is exactly a supported locale code (for validating `/language` choices). */
export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}
