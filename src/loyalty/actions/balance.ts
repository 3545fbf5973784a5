import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";
import { accountSummary } from "../LoyaltyAccount";
import { LOYALTY_RULES } from "../rulesService";

/**
 * `loyalty.balance`: the customer's points, tier, progress to the next tier, points expiring soon
 * and recent activity, ready for texts (`{{vars.balance.tierName}}`, `count: vars.balance.points`).
 * Names and lines are translated here, in the conversation's language.
 */
export const balance = registerAction({
  name: "loyalty.balance",
  description: "Reads the points balance, tier, progress to the next tier, expiring points and the last transactions.",
  returns: ["found", "points", "tier", "tierName", "lifetimePoints", "hasNext", "nextName", "needed", "multiplier", "multiplierText", "hasActivity", "recent", "expiring", "expiringOn"],
  params: z.object({
    last: z.number().int().min(0).max(10).default(5),
    /** The moment "expiring soon" is measured from (the sweep passes its own); empty means now. */
    as_of: z.string().optional(),
  }).default({ last: 5 }),
  async run({ last, as_of }, ctx) {
    const rules = ctx.services.get(LOYALTY_RULES)();
    const asOf = as_of && !Number.isNaN(Date.parse(as_of)) ? new Date(as_of) : new Date();
    const s = await accountSummary(ctx.db, rules, ctx.contact.id, last, asOf);
    if (!s) return { points: 0, found: false };
    const format = dateFormat(ctx.locale);
    const date = (iso: string) => format.format(new Date(iso));
    const recent = s.entries.map((e) => `${date(e.at)}  ${ctx.t(`loyalty:entry.${e.kind}`, { points: e.points > 0 && e.kind !== "earn" ? `+${e.points}` : String(e.points), reason: ctx.t(`loyalty:reason.${e.source}`) })}`);
    return {
      found: true,
      points: s.points,
      tier: s.tier,
      tierName: ctx.t(`loyalty:tiers.${s.tier}`),
      lifetimePoints: s.lifetimePoints,
      hasNext: Boolean(s.next),
      nextName: s.next ? ctx.t(`loyalty:tiers.${s.next.tier}`) : null,
      needed: s.next?.needed ?? 0,
      multiplier: rules.tiers[s.tier].multiplier,
      multiplierText: new Intl.NumberFormat(ctx.locale).format(rules.tiers[s.tier].multiplier),
      hasActivity: recent.length > 0,
      recent: recent.join("\n"),
      expiring: s.expiring?.points ?? 0,
      expiringOn: s.expiring ? date(s.expiring.at) : null,
    };
  },
});

/** One formatter per locale: making one costs about half a millisecond, more than the rest of the action. */
const formats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(locale: string): Intl.DateTimeFormat {
  let f = formats.get(locale);
  if (!f) formats.set(locale, (f = new Intl.DateTimeFormat(locale, { dateStyle: "medium" })));
  return f;
}
