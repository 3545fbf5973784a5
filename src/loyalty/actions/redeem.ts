import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";
import { InsufficientPointsError } from "../errors";
import { LEDGER } from "../Ledger";
import { LOYALTY_RULES } from "../rulesService";

/**
 * `loyalty.redeem`: exchanges points for a reward from the catalog in flows/loyalty.yaml. Once per
 * step run (the ledger key is the step's), so a retried turn cannot charge twice. A balance that is
 * too low is an answer (`ok: false`), not an error. The answer is stored with the points (issue 13):
 * a re-run of the turn confirms the redeem instead of finding the balance spent.
 */
export const redeem = registerAction({
  name: "loyalty.redeem",
  description: "Redeems a reward from the catalog (by id) for its cost in points; ok: false when the balance is too low.",
  returns: ["ok", "unknown", "rewardName", "cost", "balance"],
  params: z.object({ reward: z.string().min(1) }),
  effect: true,
  async run({ reward }, ctx) {
    const item = ctx.services.get(LOYALTY_RULES)().rewards.find((r) => r.id === reward);
    if (!item) return { ok: false, unknown: true, rewardName: reward, cost: 0, balance: ctx.contact.points };
    const rewardName = ctx.t(item.label);
    try {
      const done = (balance: number) => ({ ok: true, rewardName, cost: item.cost, balance });
      const posted = await ctx.services.get(LEDGER).redeem(ctx.contact.id, item.cost, {
        reason: `reward ${item.id}`, key: `redeem:${ctx.stepKey}`, details: { reward: item.id },
        within: (tx, p) => ctx.effect.store(tx, done(p.balance)),
      });
      return done(posted.balance);
    } catch (error) {
      if (!(error instanceof InsufficientPointsError)) throw error;
      return { ok: false, rewardName, cost: item.cost, balance: error.balance };
    }
  },
});
