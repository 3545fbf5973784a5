import { z } from "zod";
import { SCHEDULER } from "../../core/scheduling";
import { registerAction } from "../../flows/actions/registry";

/** The stored event that erases a contact; createApp's job runner performs it instead of starting a flow. */
export const ERASE_REQUESTED = "privacy.erase_requested";

/** How long after the customer confirms the erase runs: long enough for the confirmation to reach them. */
export const ERASE_DELAY_MS = 30_000;

/**
 * `privacy.forget_me`: the customer confirmed `/forget_me` (flows/forget-me.yaml). The erase cannot
 * run inside this turn (the turn still writes the customer's history and conversation state when it
 * commits, and its reply must reach them first), so it is stored as scheduled work, once per step
 * run, and the running bot erases shortly after. The audit log records the customer as the actor.
 */
export const forgetMe = registerAction({
  name: "privacy.forget_me",
  description: "Erases everything held about this customer about 30 seconds later (after the confirmation is sent); answers at.",
  returns: ["at"],
  params: z.object({}).default({}),
  effect: true, // the answer is stored with the erase job (issue 13)
  async run(_p, ctx) {
    const dueAt = new Date(Date.now() + ERASE_DELAY_MS);
    const answer = { at: dueAt.toISOString() };
    await ctx.services.get(SCHEDULER).schedule({ kind: "event", contactId: ctx.contact.id, name: ERASE_REQUESTED, dueAt, key: `forget_me:${ctx.stepKey}`, within: (tx) => ctx.effect.store(tx, answer) });
    return answer;
  },
});
