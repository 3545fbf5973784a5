import { normaliseKeyword } from "../flows/keywords";

/** One FAQ entry as translators write it in locales/<lng>/faq.json under `topics`. */
export interface FaqTopic {
  question: string;
  keywords: string;
  answer: string;
}

/** The best-matching topic for a customer's question. */
export interface FaqMatch {
  topic: string;
  question: string;
  answer: string;
  score: number;
}

/** Han characters: text in these languages has no spaces between words. */
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;

/**
 * How much of `keywords` a question mentions (sum of the matched keywords' lengths). A keyword
 * matches at the start of a word, so stems cover inflections ("доставк" matches "доставка",
 * "доставкой") without matching inside unrelated words; in Chinese, written without spaces, anywhere.
 */
export function mentionScore(question: string, keywords: string[]): number {
  const q = ` ${normaliseKeyword(question)} `;
  let score = 0;
  for (const kw of keywords.map(normaliseKeyword).filter(Boolean)) {
    if (CJK.test(kw) ? q.includes(kw) : q.includes(` ${kw}`)) score += kw.length;
  }
  return score;
}

/**
 * Finds the FAQ topic whose keywords best cover the question. A keyword matches at the start of a
 * word, so stems cover inflections ("доставк" matches "доставка", "доставкой") without matching
 * inside unrelated words ("points" is not found in "appointments"); in Chinese, written without
 * spaces, a keyword matches anywhere. Longer keywords weigh more.
 */
export function matchFaq(topics: Record<string, FaqTopic> | undefined, question: string): FaqMatch | undefined {
  if (!topics || typeof topics !== "object") return undefined;
  let best: FaqMatch | undefined;
  for (const [topic, entry] of Object.entries(topics)) {
    if (!entry || typeof entry.keywords !== "string") continue;
    const score = mentionScore(question, entry.keywords.split(","));
    if (score > 0 && (!best || score > best.score)) best = { topic, question: entry.question, answer: entry.answer, score };
  }
  return best;
}
