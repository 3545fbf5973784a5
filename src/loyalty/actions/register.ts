import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";
import { LEDGER } from "../Ledger";
import { LOYALTY_RULES } from "../rulesService";

/**
 * `loyalty.register`: the registration bonus, once per contact whatever flow calls it and however
 * often (the ledger key is `registration:<contact>`). Returns `awarded: false` on repeats.
 */
export const register = registerAction({
  name: "loyalty.register",
  description: "Awards the registration bonus from flows/loyalty.yaml once per contact.",
  returns: ["awarded", "points", "balance"],
  params: z.object({}).default({}),
  effect: true,
  async run(_params, ctx) {
    const points = ctx.services.get(LOYALTY_RULES)().registration_bonus;
    if (points <= 0) return { awarded: false, points: 0 };
    const posted = await ctx.services.get(LEDGER).earn(ctx.contact.id, points, {
      reason: "registration", source: "registration", key: `registration:${ctx.contact.id}`,
      // With the points: a re-run of the turn still says "you got N points" (issue 13).
      within: (tx, p) => ctx.effect.store(tx, { awarded: true, points, balance: p.balance }),
    });
    return { awarded: !posted.duplicate, points, balance: posted.balance };
  },
});
