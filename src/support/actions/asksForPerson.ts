import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";
import { SUPPORT_DESK } from "../SupportDesk";

/**
 * `support.asks_for_person`: whether free text asks for a human ("can I talk to an operator?"). The
 * words are per locale in `support:person_words` (English ones count everywhere), so the FAQ flow can
 * hand such a question straight to a person instead of guessing an answer.
 */
export const asksForPerson = registerAction({
  name: "support.asks_for_person",
  description: "True in `asks` when `text` mentions a person, operator or agent (support:person_words in the customer's language, and English).",
  returns: ["asks"],
  params: z.object({ text: z.string() }),
  run({ text }, ctx) {
    return { asks: ctx.services.get(SUPPORT_DESK).asksForPerson(ctx.locale, text) };
  },
});
