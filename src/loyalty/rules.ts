import { z } from "zod";

/** The tiers, lowest first. Their names are fixed (flows and texts refer to them); thresholds and multipliers are the operator's. */
export const TIERS = ["novice", "connoisseur", "star", "guru"] as const;

/** A loyalty tier name. */
export type Tier = (typeof TIERS)[number];

const tierSchema = z.object({
  /** Lifetime points from which the tier applies. */
  from: z.number().int().min(0),
  /** Earning multiplier on purchases (1.5 = 50% more points). */
  multiplier: z.number().min(1).max(10),
}).strict();

const rewardSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, "reward ids are lowercase letters, digits and _"),
  cost: z.number().int().positive(),
  /** Translation key of the reward's name. */
  label: z.string().min(1),
}).strict();

/** The schema of `flows/loyalty.yaml`: every rule an operator may change without a code change. */
export const rulesSchema = z.object({
  loyalty: z.object({
    registration_bonus: z.number().int().min(0),
    /** Points per whole currency unit of a purchase, before the tier multiplier. */
    points_per_unit: z.number().min(0).max(1000),
    /**
     * The currencies purchases are accepted in, each with its rate: what one unit of it counts as in
     * `points_per_unit` terms (the shop's main currency has 1). Any other currency is refused
     * (issue #13: 100,000 JPY earned 100,000 points, and `ZZZ` was accepted).
     */
    currencies: z.record(z.string(), z.number().positive().max(1_000_000)).superRefine((c, ctx) => {
      if (Object.keys(c).length === 0) ctx.addIssue({ code: "custom", message: "list at least one currency, e.g. { EUR: 1 }" });
      for (const code of Object.keys(c)) {
        if (!/^[A-Z]{3}$/.test(code)) ctx.addIssue({ code: "custom", path: [code], message: `"${code}" is not a currency code; use 3 capital letters (ISO 4217), e.g. EUR` });
      }
    }),
    expiry: z.object({
      /** Earned points expire this many days after they were earned (per earning batch, oldest first); 0 = never. */
      after_days: z.number().int().min(0),
      /** Days before expiry the customer is reminded. */
      remind_days_before: z.number().int().min(0),
    }).strict(),
    tiers: z.object({ novice: tierSchema, connoisseur: tierSchema, star: tierSchema, guru: tierSchema }).strict(),
    referral: z.object({
      referrer_bonus: z.number().int().min(0),
      friend_bonus: z.number().int().min(0),
      /** When the friend qualifies the referrer for a reward. */
      qualifies_on: z.enum(["join", "first_purchase"]),
      /** Days a reward stays pending before it is confirmed (and paid). */
      hold_days: z.number().min(0),
      /** At most this many rewards per referrer per period. */
      cap: z.object({ rewards: z.number().int().positive(), per: z.enum(["day", "week", "month", "year"]) }).strict(),
      abuse: z.object({
        /** More sign-ups than this on one code within `burst_minutes` are held for review. */
        burst_signups: z.number().int().positive(),
        burst_minutes: z.number().int().positive(),
        /** A friend who has not written again by the end of the hold is held for review. */
        require_friend_activity: z.boolean(),
      }).strict(),
    }).strict(),
    rewards: z.array(rewardSchema).default([]),
  }).strict(),
}).strict().superRefine((r, ctx) => {
  const t = r.loyalty.tiers;
  if (t.novice.from !== 0) ctx.addIssue({ code: "custom", path: ["loyalty", "tiers", "novice", "from"], message: "novice is where everyone starts: from must be 0" });
  for (let i = 1; i < TIERS.length; i++) {
    const lower = t[TIERS[i - 1]!], upper = t[TIERS[i]!];
    if (upper.from <= lower.from) ctx.addIssue({ code: "custom", path: ["loyalty", "tiers", TIERS[i]!, "from"], message: `${TIERS[i]} must start above ${TIERS[i - 1]} (${lower.from})` });
  }
  const ids = new Set<string>();
  r.loyalty.rewards.forEach((w, i) => {
    if (ids.has(w.id)) ctx.addIssue({ code: "custom", path: ["loyalty", "rewards", i, "id"], message: `reward id "${w.id}" is used twice` });
    ids.add(w.id);
  });
});

/** Validated loyalty rules. */
export type LoyaltyRules = z.infer<typeof rulesSchema>["loyalty"];

/** The tier for an amount of lifetime points. */
export function tierFor(rules: LoyaltyRules, lifetimePoints: number): Tier {
  let tier: Tier = "novice";
  for (const t of TIERS) if (lifetimePoints >= rules.tiers[t].from) tier = t;
  return tier;
}

/** The next tier and how many lifetime points it still needs, or undefined at the top. */
export function nextTier(rules: LoyaltyRules, lifetimePoints: number): { tier: Tier; needed: number } | undefined {
  const next = TIERS.find((t) => rules.tiers[t].from > lifetimePoints);
  return next ? { tier: next, needed: rules.tiers[next].from - lifetimePoints } : undefined;
}

/** The rate of a currency (ISO code, any case), or undefined when the rules do not accept it. */
export function currencyRate(rules: LoyaltyRules, currency: string): number | undefined {
  return Object.hasOwn(rules.currencies, currency.toUpperCase()) ? rules.currencies[currency.toUpperCase()] : undefined;
}

/**
 * Points for a purchase: amount (minor units) × currency rate × points per unit × tier multiplier,
 * rounded down, in exact integer arithmetic on the decimals as written in the rules file (issue #13:
 * in floating point 5.60 × 3 × 1.25 is 20.999999999999996, so 21 points came out as 20).
 * The currency must be one the rules accept (see currencyRate).
 */
export function purchasePoints(rules: LoyaltyRules, amountMinor: number, tier: Tier, currency: string): number {
  const rate = currencyRate(rules, currency);
  if (rate === undefined) throw new RangeError(`currency ${currency} is not in the loyalty rules`);
  const factors = [rate, rules.points_per_unit, rules.tiers[tier].multiplier].map(exactDecimal);
  const numerator = factors.reduce((n, f) => n * f.digits, BigInt(amountMinor));
  const denominator = factors.reduce((d, f) => d * 10n ** f.scale, 100n);
  return Number(numerator / denominator); // BigInt division truncates; both are non-negative
}

/** A finite number as written in decimal (its shortest round-trip form): 1.25 is 125 × 10^-2 exactly. */
export function exactDecimal(n: number): { digits: bigint; scale: bigint } {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(n));
  if (!m) throw new RangeError(`${n} is not a finite number`);
  const fraction = m[3] ?? "";
  const exponent = Number(m[4] ?? 0) - fraction.length;
  const digits = BigInt(`${m[1]}${m[2]}${fraction}`);
  return exponent >= 0 ? { digits: digits * 10n ** BigInt(exponent), scale: 0n } : { digits, scale: BigInt(-exponent) };
}

/**
 * The rules when a flows folder has no loyalty.yaml (the benchmark's, a test fixture): the shipped
 * file's values without a rewards catalog. test/loyalty/rules.test.ts keeps the two in step.
 */
export const DEFAULT_RULES: LoyaltyRules = {
  registration_bonus: 50,
  points_per_unit: 1,
  currencies: { EUR: 1, USD: 0.9, GBP: 1.15, PLN: 0.23 },
  expiry: { after_days: 365, remind_days_before: 30 },
  tiers: { novice: { from: 0, multiplier: 1 }, connoisseur: { from: 1000, multiplier: 1.25 }, star: { from: 5000, multiplier: 1.5 }, guru: { from: 20000, multiplier: 2 } },
  referral: {
    referrer_bonus: 100, friend_bonus: 50, qualifies_on: "first_purchase", hold_days: 14, cap: { rewards: 10, per: "month" },
    abuse: { burst_signups: 5, burst_minutes: 60, require_friend_activity: true },
  },
  rewards: [],
};
