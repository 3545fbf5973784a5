import { TEST_CONTACT_IDS_SQL } from "../contacts/testContacts";
import { dateOf, maybeDate, type SqlReader } from "../db/openReader";
import { sql } from "../db/plan";
import type { TicketStatus } from "../support/Ticket";
import type { Period } from "./period";
import { SEGMENT_NAMES } from "./rfm";
import { LOW_RATING_MAX } from "./reviewScale";

/**
 * The figures behind `rapport report` and `GET /api/v1/report` (issue "Feedback and insight", part 6).
 * Everything but `segments` counts rows created in the period (`from` inclusive, `to` exclusive).
 * Plain JSON (no Date objects), so the API and `--json` print exactly this. Rounding is half away
 * from zero, computed on whole numbers, so a figure never differs between SQLite and PostgreSQL.
 */
export interface Report {
  /** ISO 8601 instants: `from` inclusive, `to` exclusive. */
  period: { from: string; to: string };
  nps: NpsFigures;
  csat: CsatFigures;
  tickets: TicketFigures;
  points: PointsFigures;
  referrals: ReferralFigures;
  segments: SegmentFigures;
  products: ProductFigures;
}

/** Net Promoter Score over the NPS answers (0-10) given in the period. */
export interface NpsFigures {
  responses: number;
  /** Scores 9-10. */
  promoters: number;
  /** Scores 7-8. */
  passives: number;
  /** Scores 0-6. */
  detractors: number;
  /** round(100 × (promoters − detractors) / responses), from −100 to 100; null without responses. */
  score: number | null;
}

/** Customer satisfaction over the CSAT answers (1-5) given in the period, usually after a ticket. */
export interface CsatFigures {
  responses: number;
  /** Mean score, 2 decimals; null without responses. */
  average: number | null;
  /** Share of answers scoring 4 or 5, in percent with 1 decimal; null without responses. */
  satisfiedPercent: number | null;
  /** Answers per score, always five rows, score 1 to 5. */
  distribution: { score: number; responses: number }[];
  /** Per agent the rated ticket had (`agent:<Slack user id>`); answers without an agent count only above. Most answers first. */
  byAgent: { agent: string; responses: number; average: number }[];
}

/** Median and 90th percentile of a duration, in minutes with 1 decimal; null when no ticket has one. */
export interface DurationFigures {
  /** How many tickets the duration was measured on. */
  tickets: number;
  medianMinutes: number | null;
  /** 90% of the tickets took this long or less. */
  p90Minutes: number | null;
}

/**
 * Support tickets opened in the period. Percentiles interpolate linearly between the closest ranks
 * (numpy's default, Excel's PERCENTILE.INC): the median of an even count is the mean of the middle two.
 */
export interface TicketFigures {
  opened: number;
  /** Where the tickets opened in the period are now; every status is listed, 0 included. */
  byStatus: Record<TicketStatus, number>;
  /** firstResponseAt − createdAt, over tickets staff answered. */
  firstResponse: DurationFigures;
  /** closedAt − createdAt, over tickets now resolved (handed back and cancelled ones are not resolutions). */
  resolution: DurationFigures;
  /** Per assignee (`agent:<Slack user id>`): tickets claimed, of which resolved, and their median first response. Most handled first. */
  byAgent: { agent: string; handled: number; resolved: number; medianFirstResponseMinutes: number | null }[];
}

/** Loyalty points moved in the period, from the ledger; every figure is a positive amount of points. */
export interface PointsFigures {
  /** Sum of positive `earn` and `adjust` entries (a negative adjustment is not "issued"). */
  issued: number;
  /** −sum of `redeem` entries. */
  redeemed: number;
  /** −sum of `expire` entries. */
  expired: number;
  /** −sum of `reverse` entries (refunds, rejected referrals). */
  reversed: number;
}

/** Referrals whose friend joined in the period, followed to where they are now. */
export interface ReferralFigures {
  /** Every referral created in the period, whatever its status. */
  joined: number;
  /** Of those, how many qualified (`qualifiedAt` set: first purchase or join, per the rules). */
  qualified: number;
  /** Of those, how many have status `confirmed` (the reward is paid and final). */
  confirmed: number;
  /** confirmed / joined in percent, 1 decimal; null when nobody joined. */
  conversionPercent: number | null;
}

/** RFM segment sizes as of now, not bound to the period: a segment describes the customer today. */
export interface SegmentFigures {
  /**
   * Contacts per segment: every segment of the RFM table in its order (0 when empty), so reports
   * compare line by line; then any other name found (written by an older rule table), A to Z.
   */
  sizes: { segment: string; contacts: number }[];
  /** Contacts without a segment (new, or not scored yet). */
  unsegmented: number;
}

/**
 * Product ratings (issue 19) over the rating requests sent in the period (flows/review-request.yaml:
 * one per order, some days after it) and their answers so far, whenever given.
 */
export interface ProductFigures {
  /** Rating requests sent in the period. */
  requested: number;
  /** Of those, how many the customer rated (1-5). */
  rated: number;
  /** rated / requested in percent, 1 decimal; null when nothing was asked. */
  responseRatePercent: number | null;
  /** Mean rating, 2 decimals; null without ratings. */
  average: number | null;
  /** Ratings per score, always five rows, score 1 to 5. */
  distribution: { score: number; responses: number }[];
  /**
   * Per sku asked about (the order's main item; `sku` null: orders sent without items, rated as a
   * whole), with the item's name as the shop sent it. Most ratings first, then most requests, then sku.
   */
  bySku: { sku: string | null; name: string | null; requested: number; rated: number; average: number | null; distribution: { score: number; responses: number }[] }[];
  /**
   * Ratings of 1-2 (the flow offers a person), and how many reached support: a ticket carrying the
   * order (`tickets.order_id`) was opened since the request.
   */
  low: { ratings: number; reachedSupport: number; reachedSupportPercent: number | null };
}

const STATUSES: readonly TicketStatus[] = ["open", "claimed", "resolved", "handed_back", "cancelled"];

/**
 * Computes the report for a period with six queries run together (grouped counts and sums in the
 * database; only tickets are fetched row by row, five columns each, because percentiles need the
 * values). The console playground's test customers are left out (src/contacts/testContacts.ts).
 * Read-only; safe to run on a live system. Plain SQL, the same for both databases, on any
 * SqlReader: `rapport report` starts without a Prisma client (see db/openReader).
 */
export async function buildReport(db: SqlReader, period: Period): Promise<Report> {
  const { from, to } = period;
  const [answers, tickets, points, referrals, segments, reviews] = await Promise.all([
    db.query(sql(`SELECT survey, score, agent, COUNT(*) AS n FROM survey_responses
      WHERE created_at >= ? AND created_at < ? AND survey IN ('nps', 'csat') AND contact_id NOT IN (${TEST_CONTACT_IDS_SQL}) GROUP BY survey, score, agent`, from, to)),
    db.query(sql(`SELECT status, assignee, created_at, first_response_at, closed_at FROM tickets WHERE created_at >= ? AND created_at < ? AND contact_id NOT IN (${TEST_CONTACT_IDS_SQL})`, from, to)),
    // Issued: earn and adjust entries that add points; taken: redeem, expire and reverse (negative).
    db.query(sql(`SELECT kind, SUM(points) AS points FROM ledger_entries
      WHERE created_at >= ? AND created_at < ? AND (kind IN ('redeem', 'expire', 'reverse') OR (kind IN ('earn', 'adjust') AND points > 0)) AND contact_id NOT IN (${TEST_CONTACT_IDS_SQL}) GROUP BY kind`, from, to)),
    db.query(sql(`SELECT status, COUNT(*) AS n, COUNT(qualified_at) AS qualified FROM referrals WHERE created_at >= ? AND created_at < ? AND referrer_id NOT IN (${TEST_CONTACT_IDS_SQL}) AND friend_id NOT IN (${TEST_CONTACT_IDS_SQL}) GROUP BY status`, from, to)),
    db.query(sql(`SELECT segment, COUNT(*) AS n FROM contacts WHERE id NOT IN (${TEST_CONTACT_IDS_SQL}) GROUP BY segment`)),
    // Requests by sku and score (null: not answered); `supported` counts those a ticket about the order followed.
    db.query(sql(`SELECT r.sku, r.score, MAX(r.item_name) AS name, COUNT(*) AS n,
        SUM(CASE WHEN EXISTS (SELECT 1 FROM tickets t WHERE t.contact_id = r.contact_id AND t.order_id = p.order_id AND t.created_at >= r.requested_at) THEN 1 ELSE 0 END) AS supported
      FROM product_reviews r JOIN purchases p ON p.id = r.purchase_id
      WHERE r.requested_at >= ? AND r.requested_at < ? AND r.contact_id NOT IN (${TEST_CONTACT_IDS_SQL}) GROUP BY r.sku, r.score`, from, to)),
  ]);
  // COUNT and SUM come back as numbers (SQLite) or numeric strings (PostgreSQL's bigint): Number() both.
  const answered = answers.map((a) => ({ survey: String(a.survey), score: Number(a.score), agent: (a.agent as string | null) ?? null, n: Number(a.n) }));
  const sum = (kinds: string[]) => points.filter((g) => kinds.includes(String(g.kind))).reduce((s, g) => s + Number(g.points ?? 0), 0);
  const taken = (kind: string) => -sum([kind]) || 0; // `|| 0`: no -0 when there were none
  const joined = referrals.reduce((s, g) => s + Number(g.n), 0);
  const confirmed = Number(referrals.find((g) => g.status === "confirmed")?.n ?? 0);
  return {
    period: { from: period.from.toISOString(), to: period.to.toISOString() },
    nps: npsOf(answered.filter((a) => a.survey === "nps")),
    csat: csatOf(answered.filter((a) => a.survey === "csat")),
    tickets: ticketsOf(tickets.map((t) => ({ status: String(t.status), assignee: (t.assignee as string | null) ?? null, createdAt: dateOf(t.created_at), firstResponseAt: maybeDate(t.first_response_at), closedAt: maybeDate(t.closed_at) }))),
    points: { issued: sum(["earn", "adjust"]), redeemed: taken("redeem"), expired: taken("expire"), reversed: taken("reverse") },
    referrals: { joined, qualified: referrals.reduce((s, g) => s + Number(g.qualified), 0), confirmed, conversionPercent: joined ? ratio(100 * confirmed, joined, 1) : null },
    segments: segmentsOf(segments.map((g) => ({ segment: (g.segment as string | null) ?? null, contacts: Number(g.n) }))),
    products: productsOf(reviews.map((g) => ({
      sku: (g.sku as string | null) ?? null, name: (g.name as string | null) ?? null, score: g.score === null ? null : Number(g.score), n: Number(g.n), supported: Number(g.supported ?? 0),
    }))),
  };
}

type ReviewGroup = { sku: string | null; name: string | null; score: number | null; n: number; supported: number };

function productsOf(groups: ReviewGroup[]): ProductFigures {
  const figures = (rows: ReviewGroup[]) => {
    const rated = rows.flatMap((g) => (g.score === null ? [] : [{ score: g.score, agent: null, n: g.n }]));
    const n = count(rated);
    return {
      requested: rows.reduce((s, g) => s + g.n, 0), rated: n, average: n ? ratio(total(rated), n, 2) : null,
      distribution: [1, 2, 3, 4, 5].map((score) => ({ score, responses: count(rated, (s) => s === score) })),
    };
  };
  const all = figures(groups);
  const skus = new Map<string | null, ReviewGroup[]>();
  for (const g of groups) skus.set(g.sku, [...(skus.get(g.sku) ?? []), g]);
  const low = groups.filter((g) => g.score !== null && g.score <= LOW_RATING_MAX);
  const ratings = low.reduce((s, g) => s + g.n, 0);
  const reachedSupport = low.reduce((s, g) => s + g.supported, 0);
  return {
    requested: all.requested, rated: all.rated, responseRatePercent: all.requested ? ratio(100 * all.rated, all.requested, 1) : null,
    average: all.average, distribution: all.distribution,
    bySku: [...skus].map(([sku, rows]) => ({ sku, name: rows.reduce<string | null>((name, g) => (g.name !== null && (name === null || g.name > name) ? g.name : name), null), ...figures(rows) }))
      .sort((a, b) => b.rated - a.rated || b.requested - a.requested || (a.sku === null ? 1 : b.sku === null ? -1 : byName(a.sku, b.sku))),
    low: { ratings, reachedSupport, reachedSupportPercent: ratings ? ratio(100 * reachedSupport, ratings, 1) : null },
  };
}

type Answers = { score: number; agent: string | null; n: number }[];

const count = (answers: Answers, test: (score: number) => boolean = () => true) => answers.reduce((s, a) => s + (test(a.score) ? a.n : 0), 0);
const total = (answers: Answers) => answers.reduce((s, a) => s + a.score * a.n, 0);

function npsOf(answers: Answers): NpsFigures {
  const responses = count(answers);
  const promoters = count(answers, (s) => s >= 9);
  const detractors = count(answers, (s) => s <= 6);
  return { responses, promoters, passives: responses - promoters - detractors, detractors, score: responses ? ratio(100 * (promoters - detractors), responses, 0) : null };
}

function csatOf(answers: Answers): CsatFigures {
  const responses = count(answers);
  const agents = groupBy(answers, (a) => a.agent);
  return {
    responses,
    average: responses ? ratio(total(answers), responses, 2) : null,
    satisfiedPercent: responses ? ratio(100 * count(answers, (s) => s >= 4), responses, 1) : null,
    distribution: [1, 2, 3, 4, 5].map((score) => ({ score, responses: count(answers, (s) => s === score) })),
    byAgent: [...agents].map(([agent, mine]) => ({ agent, responses: count(mine), average: ratio(total(mine), count(mine), 2) }))
      .sort((a, b) => b.responses - a.responses || byName(a.agent, b.agent)),
  };
}

type TicketRow = { status: string; assignee: string | null; createdAt: Date; firstResponseAt: Date | null; closedAt: Date | null };

function ticketsOf(rows: TicketRow[]): TicketFigures {
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<TicketStatus, number>;
  for (const t of rows) byStatus[t.status as TicketStatus] = (byStatus[t.status as TicketStatus] ?? 0) + 1; // an unknown status shows under its own name
  const resolved = (t: TicketRow) => t.status === "resolved" && t.closedAt !== null;
  const firstResponses = (tickets: TicketRow[]) => tickets.flatMap((t) => (t.firstResponseAt ? [t.firstResponseAt.getTime() - t.createdAt.getTime()] : []));
  return {
    opened: rows.length,
    byStatus,
    firstResponse: durations(firstResponses(rows)),
    resolution: durations(rows.filter(resolved).map((t) => t.closedAt!.getTime() - t.createdAt.getTime())),
    byAgent: [...groupBy(rows, (t) => t.assignee)].map(([agent, mine]) => ({
      agent, handled: mine.length, resolved: mine.filter(resolved).length, medianFirstResponseMinutes: durations(firstResponses(mine)).medianMinutes,
    })).sort((a, b) => b.handled - a.handled || byName(a.agent, b.agent)),
  };
}

function segmentsOf(groups: { segment: string | null; contacts: number }[]): SegmentFigures {
  const found = new Map(groups.map((g) => [g.segment, g.contacts]));
  const others = groups.flatMap((g) => (g.segment !== null && !(SEGMENT_NAMES as readonly string[]).includes(g.segment) ? [g.segment] : [])).sort(byName);
  return { sizes: [...SEGMENT_NAMES, ...others].map((segment) => ({ segment, contacts: found.get(segment) ?? 0 })), unsegmented: found.get(null) ?? 0 };
}

/** Rows by a key, skipping rows without one (answers and tickets with no agent). */
function groupBy<T>(rows: T[], key: (row: T) => string | null): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    if (k === null) continue;
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/** Code-point order: the same on every machine, unlike localeCompare. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function durations(ms: number[]): DurationFigures {
  const sorted = [...ms].sort((a, b) => a - b);
  return { tickets: sorted.length, medianMinutes: percentileMinutes(sorted, 5), p90Minutes: percentileMinutes(sorted, 9) };
}

/**
 * The percentile `tenths`/10 of whole milliseconds, interpolated between the closest ranks, in
 * minutes with 1 decimal. Worked in tenths of a millisecond so the interpolation stays exact.
 */
function percentileMinutes(sorted: number[], tenths: 5 | 9): number | null {
  if (sorted.length === 0) return null;
  const rank10 = tenths * (sorted.length - 1); // the rank, times 10
  const i = Math.floor(rank10 / 10);
  const lo = sorted[i]!;
  const hi = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return ratio(10 * lo + (hi - lo) * (rank10 % 10), 600_000, 1);
}

/** num / den rounded to `decimals`, half away from zero, in integer arithmetic (num and den whole, den > 0). */
function ratio(num: number, den: number, decimals: number): number {
  const scaled = 2 * Math.abs(num) * 10 ** decimals + den;
  const q = (scaled - (scaled % (2 * den))) / (2 * den);
  return (Math.sign(num) * q) / 10 ** decimals || 0; // `|| 0`: no -0 in JSON-bound figures
}
