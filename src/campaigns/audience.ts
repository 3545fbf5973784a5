import { parseDuration } from "../core/duration";
import type { Database } from "../db/Database";
import { parseAttributes } from "../flows/attributes";
import type { ContactAttributes } from "../flows/types";
import { NOT_A_TEST_CONTACT } from "../contacts/testContacts";
import { resolveContactId } from "../history/timeline";
import type { Audience, AudienceFilter } from "./schema";

/**
 * The contacts a campaign's audience selects now, sorted by id: everyone matching every field of
 * `audience` (a list matches any of its values), minus whoever matches any field of `audience.exclude`. Erased
 * contacts are never selected, nor the console playground's test customers unless listed by `contacts`. Consent, reachability, the frequency cap and quiet hours are not
 * looked at here: they decide who of the audience is skipped or deferred (see eligibility.ts), so a
 * report can say why someone in the audience got nothing.
 *
 * The columns are filtered in the database; contact attributes (JSON) and referral counts are tested
 * in memory on the rows that remain: one pass over the audience, fine for the hundreds of thousands
 * a deployment of this size holds.
 */
export async function selectAudience(db: Database, audience: Audience, now = new Date()): Promise<string[]> {
  const { exclude, ...include } = audience;
  const chosen = await matching(db, include, now);
  if (!exclude || Object.keys(exclude).length === 0) return chosen;
  // Exclusions add up: each field removes whoever matches it (VIPs, and these contacts, and …).
  const excluded = new Set<string>();
  for (const [field, value] of Object.entries(exclude)) {
    if (value !== undefined) for (const id of await matching(db, { [field]: value }, now)) excluded.add(id);
  }
  return chosen.filter((id) => !excluded.has(id));
}

async function matching(db: Database, f: AudienceFilter, now: Date): Promise<string[]> {
  const where: Record<string, unknown> = { erasedAt: null };
  if (f.segment) where.segment = { in: f.segment };
  if (f.tier) where.tier = { in: f.tier };
  if (f.language) where.locale = { in: f.language };
  if (f.points) where.points = { ...(f.points.min !== undefined ? { gte: f.points.min } : {}), ...(f.points.max !== undefined ? { lte: f.points.max } : {}) };
  const since = (d: string) => new Date(now.getTime() - parseDuration(d)!);
  const seen: Record<string, unknown>[] = [];
  if (f.last_seen) seen.push({ interactions: { some: { direction: "in", occurredAt: { gte: since(f.last_seen) } } } });
  if (f.inactive_for) seen.push({ interactions: { none: { direction: "in", occurredAt: { gte: since(f.inactive_for) } } } });
  if (f.has_purchased !== undefined) {
    const counted = { amountMinor: { gt: db.prisma.purchase.fields.refundedMinor } };
    seen.push({ purchases: f.has_purchased ? { some: counted } : { none: counted } });
  }
  if (seen.length > 0) where.AND = seen;
  if (f.contacts) {
    // An unknown contact throws ContactNotFoundError: a campaign would silently miss them otherwise.
    const ids = await Promise.all(f.contacts.map((ref) => resolveContactId(db, ref)));
    where.id = { in: [...new Set(ids)] };
  } else Object.assign(where, NOT_A_TEST_CONTACT); // the console playground's test customers only when named
  const rows = await db.prisma.contact.findMany({ where, select: { id: true, attributes: true }, orderBy: { id: "asc" } });
  let out = f.attributes ? rows.filter((r) => attributesMatch(parseAttributes(r.attributes), f.attributes!)) : rows;
  if (f.referrals) {
    const counts = await referralCounts(db);
    const { min = 0, max = Infinity } = f.referrals;
    out = out.filter((r) => { const n = counts.get(r.id) ?? 0; return n >= min && n <= max; });
  }
  return out.map((r) => r.id);
}

/** Friends who joined through each referrer's link, not counting reversed referrals. */
async function referralCounts(db: Database): Promise<Map<string, number>> {
  const rows = await db.prisma.referral.groupBy({ by: ["referrerId"], where: { status: { not: "reversed" } }, _count: { _all: true } });
  return new Map(rows.map((r) => [r.referrerId, r._count._all]));
}

type AttributeTest = NonNullable<AudienceFilter["attributes"]>[string];

/**
 * Whether a contact's attributes pass every test: a plain value must be equal (texts compared without
 * case, "Warsaw" = "warsaw"; a number written as text in the contact equals that number); `in` any of
 * the values; `exists` set or not; `min`/`max` a number (or a number written as text) in range.
 */
export function attributesMatch(attrs: ContactAttributes, tests: Record<string, AttributeTest>): boolean {
  return Object.entries(tests).every(([name, test]) => {
    const value = attrs[name];
    if (typeof test !== "object") return same(value, test);
    if (test.exists !== undefined && (value !== undefined) !== test.exists) return false;
    if (test.equals !== undefined && !same(value, test.equals)) return false;
    if (test.in && !test.in.some((t) => same(value, t))) return false;
    if (test.min !== undefined || test.max !== undefined) {
      const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
      if (Number.isNaN(n)) return false;
      if (test.min !== undefined && n < test.min) return false;
      if (test.max !== undefined && n > test.max) return false;
    }
    return true;
  });
}

function same(value: string | number | boolean | undefined, test: string | number | boolean): boolean {
  if (value === undefined) return false;
  if (typeof value === "string" && typeof test === "string") return value.trim().toLowerCase() === test.trim().toLowerCase();
  if (typeof test === "number" && typeof value === "string") return value.trim() !== "" && Number(value) === test;
  return value === test;
}
