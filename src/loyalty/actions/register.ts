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
  async run(_params, ctx) {
    const points = ctx.services.get(LOYALTY_RULES)().registration_bonus;
    if (points <= 0) return { awarded: false, points: 0 };
    const posted = await ctx.services.get(LEDGER).earn(ctx.contact.id, points, { reason: "registration", source: "registration", key: `registration:${ctx.contact.id}` });
    return { awarded: !posted.duplicate, points, balance: posted.balance };
  },
});
