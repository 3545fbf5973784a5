import { normaliseKeyword } from "../flows/lintFlows";

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

/**
 * Finds the FAQ topic whose keywords best cover the question. Keywords match as substrings of the
 * normalised question, so it works for languages written without spaces (zh) as well as inflected
 * ones (a keyword stem such as "доставк" matches "доставка" and "доставкой").
 */
export function matchFaq(topics: Record<string, FaqTopic> | undefined, question: string): FaqMatch | undefined {
  if (!topics || typeof topics !== "object") return undefined;
  const q = ` ${normaliseKeyword(question)} `;
  let best: FaqMatch | undefined;
  for (const [topic, entry] of Object.entries(topics)) {
    if (!entry || typeof entry.keywords !== "string") continue;
    let score = 0;
    for (const kw of entry.keywords.split(",").map(normaliseKeyword).filter(Boolean)) {
      if (q.includes(kw)) score += kw.length;
    }
    if (score > 0 && (!best || score > best.score)) best = { topic, question: entry.question, answer: entry.answer, score };
  }
  return best;
}
