import { keywordList, normaliseKeyword } from "../flows/keywords";
import type { Translator } from "../i18n/Translator";
import { mentionScore } from "./faq";

/** Locales whose lists are checked for a customer in `locale`: theirs, and English (people type "operator" everywhere). */
function withEnglish(locale: string): string[] {
  return locale === "en" ? ["en"] : [locale, "en"];
}

/**
 * Whether free text asks for a human ("can I talk to an operator?"): a word of `support:person_words`
 * starts a word in it (stems cover inflections, as in the FAQ; in Chinese, anywhere).
 */
export function asksForPerson(translator: Translator, locale: string, text: string): boolean {
  return withEnglish(locale).some((lng) => mentionScore(text, keywordList(translator, lng, "support:person_words")) > 0);
}

/** Whether a whole message means "stop waiting for a person" (`support:cancel_keywords`). */
export function asksToCancel(translator: Translator, locale: string, text: string): boolean {
  const said = normaliseKeyword(text);
  return withEnglish(locale).some((lng) => keywordList(translator, lng, "support:cancel_keywords").includes(said));
}
