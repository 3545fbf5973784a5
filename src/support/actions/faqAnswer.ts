import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";
import { matchFaq, type FaqTopic } from "../faq";

/** `faq.answer`: looks the customer's question up in the FAQ of their locale (locales/<lng>/faq.json). */
export const faqAnswer = registerAction({
  name: "faq.answer",
  description: "Finds the FAQ answer for `question` in the customer's language; returns { found, topic, answer }.",
  returns: ["found", "topic", "question", "answer"],
  params: z.object({ question: z.string() }),
  run({ question }, ctx) {
    const hit = matchFaq(ctx.lookup("faq:topics") as Record<string, FaqTopic> | undefined, question);
    return hit ? { found: true, topic: hit.topic, question: hit.question, answer: hit.answer } : { found: false };
  },
});
