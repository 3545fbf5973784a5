import type { Database } from "../db/Database";
import { parseAttributes } from "../flows/attributes";
import { consentBlock, type ConsentMode } from "../marketing/consent";
import { isTimeZone, quietUntil, type QuietHours } from "./quietHours";

/** The deployment's rules for marketing messages (issue 15, "never too often"). */
export interface CampaignRules {
  consent: ConsentMode;
  /** At most `count` campaign messages per contact in `windowMs`, across all campaigns; undefined: no cap. */
  frequencyCap?: { count: number; windowMs: number };
  /** Local hours in which campaign messages wait; undefined: none. */
  quietHours?: QuietHours;
  /** The time zone of contacts without a `time_zone` attribute (IANA name). */
  timeZone: string;
}

/** The deployment's rules as they apply to `campaign` (one sent with `events send` has its own consent mode). */
export function rulesFor(rules: CampaignRules, campaign: { consent?: ConsentMode }): CampaignRules {
  return campaign.consent ? { ...rules, consent: campaign.consent } : rules;
}

/** Contact attribute (contact.set) that overrides the deployment's time zone for one contact. */
export const TIME_ZONE_ATTRIBUTE = "time_zone";

/** Why a contact of the audience gets nothing from this campaign (final). */
export type SkipReason = "opted_out" | "no_consent" | "unreachable";
/** Why a contact's message waits (it goes out later; never dropped for these). */
export type DeferReason = "capped" | "quiet_hours";

/** What to do with one contact now. */
export type Verdict = { kind: "send" } | { kind: "skip"; reason: SkipReason } | { kind: "defer"; reason: DeferReason; until: Date };

/** Ids per query: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

/**
 * Decides, for contacts of a campaign's audience, whether a marketing message may go to them now:
 * skipped for good when they said no (or never said yes in opt-in mode), are erased or cannot be
 * reached (blocked the bot, no channel); deferred when they already had the cap's worth of campaign
 * messages in its window (until a slot frees) or it is quiet hours where they are (until the hours
 * end); otherwise send. Reads in chunks; writes nothing.
 */
export async function judge(db: Database, rules: CampaignRules, contactIds: readonly string[], now = new Date()): Promise<Map<string, Verdict>> {
  const out = new Map<string, Verdict>();
  for (let i = 0; i < contactIds.length; i += CHUNK) {
    const ids = contactIds.slice(i, i + CHUNK);
    const contacts = await db.prisma.contact.findMany({
      where: { id: { in: ids } },
      select: { id: true, marketingConsent: true, unreachable: true, erasedAt: true, attributes: true, identities: { select: { channel: true }, take: 1 } },
    });
    const recent = rules.frequencyCap ? await recentSends(db, ids, new Date(now.getTime() - rules.frequencyCap.windowMs)) : new Map<string, Date[]>();
    for (const c of contacts) {
      const blocked = consentBlock(rules.consent, c.marketingConsent);
      if (blocked) { out.set(c.id, { kind: "skip", reason: blocked }); continue; }
      if (c.unreachable || c.erasedAt || c.identities.length === 0) { out.set(c.id, { kind: "skip", reason: "unreachable" }); continue; }
      const sent = recent.get(c.id) ?? [];
      if (rules.frequencyCap && sent.length >= rules.frequencyCap.count) {
        // The slot frees when the oldest message that still counts leaves the window.
        const oldest = sent[sent.length - rules.frequencyCap.count]!;
        out.set(c.id, { kind: "defer", reason: "capped", until: new Date(oldest.getTime() + rules.frequencyCap.windowMs) });
        continue;
      }
      const until = rules.quietHours ? quietUntil(now, zoneOf(parseAttributes(c.attributes)[TIME_ZONE_ATTRIBUTE], rules.timeZone), rules.quietHours) : undefined;
      out.set(c.id, until ? { kind: "defer", reason: "quiet_hours", until } : { kind: "send" });
    }
  }
  return out;
}

/** The contact's own time zone when the attribute names a valid one, else the deployment's. */
function zoneOf(attribute: unknown, fallback: string): string {
  return typeof attribute === "string" && attribute.trim() !== "" && isTimeZone(attribute.trim()) ? attribute.trim() : fallback;
}

/** Campaign messages handed out per contact since `since` (any campaign), newest last. */
async function recentSends(db: Database, ids: string[], since: Date): Promise<Map<string, Date[]>> {
  const rows = await db.prisma.campaignDelivery.findMany({
    where: { contactId: { in: ids }, queuedAt: { gte: since } },
    select: { contactId: true, queuedAt: true },
    orderBy: { queuedAt: "asc" },
  });
  const out = new Map<string, Date[]>();
  for (const r of rows) (out.get(r.contactId) ?? out.set(r.contactId, []).get(r.contactId)!).push(r.queuedAt!);
  return out;
}
