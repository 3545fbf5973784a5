import { keywordList, normaliseKeyword } from "../flows/keywords";
import type { InboundBody } from "../core/message";
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

/** Whether a whole message means "stop waiting for a person" (`common:cancel.keywords`, as the cancel flow's). */
export function asksToCancel(translator: Translator, locale: string, text: string): boolean {
  const said = normaliseKeyword(text);
  return withEnglish(locale).some((lng) => keywordList(translator, lng, "common:cancel.keywords").includes(said));
}

/**
 * The notice for an always-available exit typed while a person has the chat (issue 12): `/menu` or
 * `/start` would drop a conversation a person may be typing an answer in, so the customer is told
 * `/cancel` ends it; `/support` is answered with "you are already talking to us". Undefined for
 * anything else, which goes to staff. Only the commands: the words may be meant for the person.
 */
export function exitWhileWithPerson(body: InboundBody): string | undefined {
  if (body.kind !== "command") return undefined;
  if (body.command === "menu" || body.command === "start") return "support:with_person.menu";
  if (body.command === "support") return "support:with_person.support";
  return undefined;
}
