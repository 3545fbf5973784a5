import type { Database } from "../db/Database";
import { withDbRetry } from "../db/retry";
import { anyRow } from "../db/anyRow";
import { scoreRfm, SEGMENT_NAMES, type RfmCustomer, type RfmScore } from "./rfm";

/** What a recomputation did: customers scored, contacts whose segment was taken away, and sizes. */
export interface SegmentRun {
  scored: number;
  cleared: number;
  /** Contacts per segment after the run; every known segment is listed, empty ones with 0. */
  sizes: Record<string, number>;
}

const DAY_MS = 86_400_000;
/** Ids per UPDATE: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

/**
 * Scores every customer from their purchases (see scoreRfm) and writes `segment`, `rfm_*` and
 * `segment_at` onto the contacts; contacts that had a segment but no longer have a counted purchase
 * (everything refunded) get them cleared. Safe to run at any time and any number of times.
 *
 * One aggregate query reads the purchases; the writes are one UPDATE per (segment, R, F, M) group
 * (at most 125, chunked by id), not one per contact. They are not wrapped in one transaction on
 * purpose: a long write would hold SQLite's single write lock against the conversations' turns. A
 * flow running during the recomputation may see a mix of old and new segments for a moment.
 */
export async function recomputeSegments(db: Database, now = new Date()): Promise<SegmentRun> {
  const scores = scoreRfm(await countedPurchases(db), now);
  const groups = new Map<string, RfmScore[]>();
  for (const s of scores) {
    const key = `${s.segment}:${s.recency}:${s.frequency}:${s.monetary}`;
    const group = groups.get(key);
    if (group) group.push(s);
    else groups.set(key, [s]);
  }
  for (const group of groups.values()) {
    const { segment, recency, frequency, monetary } = group[0]!;
    for (let i = 0; i < group.length; i += CHUNK) {
      const ids = group.slice(i, i + CHUNK).map((s) => s.contactId);
      await withDbRetry(() => db.prisma.contact.updateMany({
        where: { id: { in: ids } },
        data: { segment, rfmRecency: recency, rfmFrequency: frequency, rfmMonetary: monetary, segmentAt: now },
      }));
    }
  }
  // Cleared by what the database says now rather than "not in this run's list": no NOT IN over
  // every customer, and a purchase recorded meanwhile does not get its contact's segment taken away.
  const { count: cleared } = await withDbRetry(() => db.prisma.contact.updateMany({
    where: {
      OR: [{ segment: { not: null } }, { rfmRecency: { not: null } }],
      purchases: { none: { amountMinor: { gt: db.prisma.purchase.fields.refundedMinor } } },
    },
    data: { segment: null, rfmRecency: null, rfmFrequency: null, rfmMonetary: null, segmentAt: null },
  }));
  const sizes = emptySizes();
  for (const s of scores) sizes[s.segment]!++;
  return { scored: scores.length, cleared, sizes };
}

/**
 * Contacts per segment as stored now (contacts without one are not counted). Every known segment is
 * listed, with 0 when empty, plus any other name found (one written by an older rule table).
 */
export async function segmentSizes(db: Database): Promise<Record<string, number>> {
  const rows = await db.prisma.contact.groupBy({ by: ["segment"], where: { segment: { not: null } }, _count: { _all: true } });
  const sizes = emptySizes();
  for (const r of rows) if (r.segment !== null) sizes[r.segment] = r._count._all;
  return sizes;
}

/**
 * True when the segments are due for a recomputation: no contact's segment was computed within
 * `maxAgeMs`, and there is something to compute (a counted purchase) or to clear (a contact with a
 * segment). The sweeper asks every tick and recomputes once a day; a shop without purchases never
 * recomputes. Reads `segment_at` without an index: one scan of contacts per tick while stale.
 */
export async function segmentsStale(db: Database, now = new Date(), maxAgeMs = DAY_MS): Promise<boolean> {
  // Plain statements: the sweeper asks every minute in every process (see db/anyRow).
  if (await anyRow(db, "SELECT id FROM contacts WHERE segment_at > ?", new Date(now.getTime() - maxAgeMs))) return false;
  if (await anyRow(db, "SELECT id FROM purchases WHERE amount_minor > refunded_minor")) return true;
  return anyRow(db, "SELECT id FROM contacts WHERE segment IS NOT NULL");
}

/**
 * Per-customer sums of the purchases RFM counts (net amount > 0; see summarizePurchases), in one
 * GROUP BY. The condition compares two columns (a Prisma field reference), so it works the same on
 * SQLite and PostgreSQL, and `_max` returns a Date on both.
 */
async function countedPurchases(db: Database): Promise<RfmCustomer[]> {
  const rows = await withDbRetry(() => db.prisma.purchase.groupBy({
    by: ["contactId"],
    where: { amountMinor: { gt: db.prisma.purchase.fields.refundedMinor } },
    _max: { occurredAt: true },
    _count: { _all: true },
    _sum: { amountMinor: true, refundedMinor: true },
  }));
  return rows.map((r) => ({
    contactId: r.contactId,
    lastPurchaseAt: r._max.occurredAt!,
    orders: r._count._all,
    monetaryMinor: (r._sum.amountMinor ?? 0) - (r._sum.refundedMinor ?? 0),
  }));
}

function emptySizes(): Record<string, number> {
  return Object.fromEntries(SEGMENT_NAMES.map((name) => [name, 0]));
}
