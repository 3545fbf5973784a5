import { z } from "zod";
import { DURATION } from "../core/duration";
import { ATTRIBUTE_NAME } from "../flows/attributes";
import { SEGMENT_NAMES } from "../feedback/rfm";
import { SUPPORTED_LOCALES } from "../i18n/locales";
import { TIERS } from "../loyalty/rules";
import { suggest } from "../flows/suggest";

/**
 * One of `known`, or a list of them (`segment: at_risk` or `segment: [at_risk, lost]`); a value not
 * known is named with the closest one ("did you mean") and the list of what is.
 */
const oneOrMany = <T extends string>(what: string, known: readonly T[]) => z.union([z.string(), z.array(z.string()).min(1)])
  .superRefine((value, ctx) => {
    const list = Array.isArray(value) ? value : [value];
    list.forEach((v, i) => {
      if ((known as readonly string[]).includes(v)) return;
      const hint = suggest(v, known);
      ctx.addIssue({ code: "custom", path: Array.isArray(value) ? [i] : [], message: `"${v}" is not ${what}${hint ? `; did you mean "${hint}"?` : "."} Known: ${known.join(", ")}` });
    });
  })
  .transform((v) => (Array.isArray(v) ? v : [v]) as T[]);

const duration = z.string().regex(DURATION, "a duration is a number and a unit: 30m, 12h, 30d, 2w");
const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A test on one contact attribute (from `contact.set`): a value it equals, or one of the operators. */
const attributeTest = z.union([
  scalar,
  z.object({
    equals: scalar.optional(),
    in: z.array(scalar).min(1).optional(),
    exists: z.boolean().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  }).strict().refine((t) => Object.keys(t).length > 0, "say what to test: equals, in, exists, min or max"),
]);

/**
 * Who a campaign is for. Every field given must hold (AND); a list means any of its values (OR).
 * `exclude` takes the same fields and removes whoever matches any one of them (they add up).
 */
export const filterSchema = z.object({
  /** RFM segment(s), as `rapport rfm` names them. */
  segment: oneOrMany("a segment", SEGMENT_NAMES).optional(),
  /** Loyalty tier id(s) (flows/loyalty.yaml). */
  tier: oneOrMany("a tier", TIERS).optional(),
  /** The contact's language. */
  language: oneOrMany("a supported language", SUPPORTED_LOCALES).optional(),
  /** Points balance range, inclusive. */
  points: z.object({ min: z.number().int().optional(), max: z.number().int().optional() }).strict().optional(),
  /** Wrote to the bot within this long (e.g. 30d). */
  last_seen: duration.optional(),
  /** Has not written to the bot for at least this long (e.g. 60d); never written counts as inactive. */
  inactive_for: duration.optional(),
  /** Has (true) or has not (false) a purchase that was not fully refunded. */
  has_purchased: z.boolean().optional(),
  /** Friends who joined through the contact's link and were not reversed, inclusive range. */
  referrals: z.object({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() }).strict().optional(),
  /** Contact attributes (contact.set): name → value, or { equals | in | exists | min | max }. */
  attributes: z.record(z.string().regex(ATTRIBUTE_NAME, "attribute names are lowercase letters, digits and _"), attributeTest).optional(),
  /** Explicit contacts: contact ids or channel:id (telegram:123456). */
  contacts: z.array(z.string().min(1)).min(1).optional(),
}).strict();

/** The audience: filters, and who to leave out. */
export const audienceSchema = filterSchema.extend({ exclude: filterSchema.optional() }).strict();

/** A button under the message: its label (a translation key) and the flow it starts when pressed. */
const buttonSchema = z.object({ label: z.string().min(1), flow: z.string().min(1) }).strict();

/**
 * The message: a translation key (`text`), rendered in each contact's language with `{{contact.*}}`
 * fields; `count` picks the plural form (contact.points, or bonus.points: the campaign's bonus).
 */
export const messageSchema = z.object({
  text: z.string().regex(/^[a-z][\w-]*:[\w.-]+$/, "a translation key such as campaigns:winback.text (locales/<lng>/campaigns.json)"),
  count: z.enum(["contact.points", "bonus.points"]).optional(),
  buttons: z.array(buttonSchema).min(1).max(3).optional(),
}).strict();

/** Instead of a message: a flow to start, or an event flows listen to (with data for `vars.event`). */
export const startSchema = z.union([
  z.object({ flow: z.string().min(1) }).strict(),
  z.object({ event: z.string().min(1), data: z.record(z.string(), z.unknown()).optional() }).strict(),
]);

const variantSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_-]{0,19}$/, "variant names are short: a, b, short_text"),
  /** Share of the audience, in percent; the shares add up to 100. */
  split: z.number().min(0).max(100),
  message: messageSchema.optional(),
  start: startSchema.optional(),
}).strict();

/** A campaign file, `flows/campaigns/<name>.yaml`. */
export const campaignSchema = z.object({
  description: z.string().optional(),
  audience: audienceSchema,
  message: messageSchema.optional(),
  start: startSchema.optional(),
  /** now (the default), an ISO time (`2026-12-08T10:00:00+01:00`), or ongoing. */
  when: z.union([z.literal("now"), z.literal("ongoing"), z.object({ at: z.string().min(1) }).strict()]).default("now"),
  /** Points paid once per contact when their message goes out, through the loyalty ledger. */
  bonus: z.object({ points: z.number().int().positive().max(1_000_000), reason: z.string().max(100).optional() }).strict().optional(),
  variants: z.array(variantSchema).min(2).max(5).optional(),
  /** A purchase within this long after delivery counts as a conversion in the report (default 7d). */
  conversion_window: duration.default("7d"),
}).strict();

/** A campaign file as written (after defaults). */
export type CampaignFile = z.infer<typeof campaignSchema>;
/** An audience filter (the fields of `audience` or `audience.exclude`). */
export type AudienceFilter = z.infer<typeof filterSchema>;
/** The whole audience: filters and exclusions. */
export type Audience = z.infer<typeof audienceSchema>;
/** A campaign's message. */
export type CampaignMessage = z.infer<typeof messageSchema>;
/** A flow or event a campaign starts instead of a message. */
export type CampaignStart = z.infer<typeof startSchema>;
