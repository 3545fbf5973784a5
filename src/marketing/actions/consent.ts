import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";
import { setConsent } from "../consent";

/**
 * `marketing.consent`: the customer's yes or no to campaigns (flows/stop.yaml for /stop and "stop" /
 * "unsubscribe", flows/subscribe.yaml for /subscribe and the question asked in opt-in mode). Written
 * at once in its own transaction with its history row; saying the same again changes nothing.
 */
export const consent = registerAction({
  name: "marketing.consent",
  description: "Records the customer's consent to marketing (consent: granted or denied) with a history row; returns { changed, consent }.",
  returns: ["changed", "consent"],
  params: z.object({ consent: z.enum(["granted", "denied"]) }),
  effect: true, // the answer is stored with the change (issue 13): a re-run turn reads it back
  async run({ consent }, ctx) {
    const changed = await setConsent(ctx.db, ctx.contact.id, consent, "chat", new Date(), (tx, changed) => ctx.effect.store(tx, { changed, consent }));
    return { changed, consent };
  },
});
