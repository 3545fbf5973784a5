import { z } from "zod";
import { registerAction } from "../../flows/actions/registry";
import { REFERRALS, type Attribution } from "../Referrals";

/** `referral.link`: the customer's personal code and deep link (https://t.me/<bot>?start=ref-<code>). */
export const referralLink = registerAction({
  name: "referral.link",
  description: "Returns the customer's referral code and link (made on first use).",
  returns: ["code", "link"],
  params: z.object({}).default({}),
  run: (_p, ctx) => ctx.services.get(REFERRALS).linkFor(ctx.contact.id),
});

/** `referral.stats`: how many friends joined, how many rewards are pending, points earned. */
export const referralStats = registerAction({
  name: "referral.stats",
  description: "Counts the customer's referred friends: joined, pending rewards, points earned.",
  returns: ["joined", "pending", "earned"],
  params: z.object({}).default({}),
  run: (_p, ctx) => ctx.services.get(REFERRALS).stats(ctx.contact.id),
});

/**
 * `referral.attribute`: a new customer arrived through `/start ref-<code>`. First touch only;
 * self-referral, cycles and unknown codes are refused with a reason (`status: rejected`).
 */
export const referralAttribute = registerAction({
  name: "referral.attribute",
  description: "Attributes a new customer to the referrer whose code they came with (first touch only); returns status and reason.",
  returns: ["status", "reason"],
  params: z.object({ code: z.string().min(1).max(64) }),
  effect: true, // a re-run of the turn answers joined, not already_attributed (issue 13)
  async run({ code }, ctx) {
    const answer = (a: Attribution) => (a.status === "rejected" ? { status: "rejected", reason: a.reason } : { status: a.status });
    return answer(await ctx.services.get(REFERRALS).attribute(ctx.contact.id, code, undefined, (tx, a) => ctx.effect.store(tx, answer(a))));
  },
});
