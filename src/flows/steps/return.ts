import { z } from "zod";
import { defineStep } from "./defineStep";
import { keyOf, render, textRefSchema } from "./say";

/**
 * Ends a digression (`return: true`, or `return: faq:key` with a last message): the customer typed
 * free text at a choice question, the fallback flow (the FAQ) answered it, and this step takes them
 * back to that question, asked again with its tries untouched. A flow started any other way just
 * ends here, as with `end`. Issue 12: an FAQ question typed at the menu is answered, then the menu
 * comes back, instead of "please tap one of the buttons".
 */
export const returnStep = defineStep({
  kind: "return",
  schema: z.object({ return: z.union([z.literal(true), textRefSchema]) }).strict(),
  targets: () => [],
  keys: (s) => (s.return === true ? [] : [keyOf(s.return)]),
  fallsThrough: () => false,
  run: (s, ctx) => ({ say: s.return === true ? [] : [{ text: render(s.return, ctx) }], end: true, returnToQuestion: true }),
});
