import type { Translator } from "../i18n/Translator";

/** The keywords a `keywords:` key lists in one locale, normalised for matching. */
export function keywordList(translator: Translator, locale: string, key: string): string[] {
  const raw = translator.has(locale, key) ? translator.t(locale, key) : "";
  return raw.split(",").map(normaliseKeyword).filter(Boolean);
}

/** Lowercases and strips punctuation so "Menu!" matches the keyword "menu". */
export function normaliseKeyword(text: string): string {
  return text.normalize("NFC").toLowerCase().replace(/[\p{P}\p{S}\u200d\ufe0e\ufe0f]+/gu, " ").replace(/\s+/g, " ").trim();
}
