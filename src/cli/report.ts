import { bar } from "./bar";
import type { SqlReader } from "../db/openReader";
import { parsePeriod, PeriodError, type Period } from "../feedback/period";
import { buildReport, type DurationFigures, type Report } from "../feedback/report";
import { UsageError } from "./UsageError";

/** Width of the longest bar in a chart, in characters. */
const BAR_WIDTH = 30;

/**
 * `rapport report [--from DATE] [--to DATE] [--json]`: NPS, CSAT, support times, tickets per agent,
 * points, referral conversion, segment sizes and product ratings (per sku, response rate, low
 * ratings that reached support) for a period (default: the 30 days up to now).
 * Dates are YYYY-MM-DD (UTC) or ISO 8601 date-times with a zone; a day given to `--to` includes that
 * whole day (the period ends at the next UTC midnight, exclusive). Breakdowns are drawn as bars: the
 * shape of a distribution is read faster than its numbers. `--json` prints the Report as is (see
 * src/feedback/report.ts for every figure's definition), the same JSON as `GET /api/v1/report`.
 */
export async function runReport(db: SqlReader, args: { from?: string; to?: string; json: boolean }, out: NodeJS.WritableStream, now = new Date()): Promise<number> {
  const report = await buildReport(db, periodOf(args, now));
  out.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return 0;
}

/** parsePeriod with its problems worded for the command line (`--from`, not `from`). */
function periodOf(args: { from?: string; to?: string }, now: Date): Period {
  try {
    return parsePeriod(args, now);
  } catch (error) {
    if (error instanceof PeriodError) throw new UsageError(error.describe((field) => `--${field}`), { cause: error });
    throw error;
  }
}

function formatReport(r: Report): string {
  const { nps, csat, tickets, points, referrals, segments, products } = r;
  const lines = [
    `Report for ${when(r.period.from)} up to (not including) ${when(r.period.to)}`,
    "",
    `NPS: ${nps.score ?? "–"} from ${answers(nps.responses)}`,
    ...grid([["promoters (9-10)", nps.promoters], ["passives (7-8)", nps.passives], ["detractors (0-6)", nps.detractors]], { bars: true }),
    "",
    `CSAT: average ${csat.average?.toFixed(2) ?? "–"}, ${percent(csat.satisfiedPercent)} satisfied (4-5), ${answers(csat.responses)}`,
    ...grid([...csat.distribution].reverse().map((d) => [`score ${d.score}`, d.responses]), { bars: true }),
    ...(csat.byAgent.length ? ["", ...grid(csat.byAgent.map((a) => [agent(a.agent), a.responses, a.average.toFixed(2)]), { header: ["by agent", "answers", "average"] })] : []),
    "",
    `Tickets: ${tickets.opened} opened`,
    ...grid(Object.entries(tickets.byStatus).map(([status, n]) => [status.replace("_", " "), n])),
    "",
    ...grid([duration("first response", tickets.firstResponse), duration("resolution", tickets.resolution)], { header: ["", "median", "p90", "tickets"] }),
    ...(tickets.byAgent.length
      ? ["", ...grid(tickets.byAgent.map((a) => [agent(a.agent), a.handled, a.resolved, minutes(a.medianFirstResponseMinutes)]), { header: ["by agent", "handled", "resolved", "median 1st response"], bars: true })]
      : []),
    "",
    "Points",
    ...grid([["issued", points.issued], ["redeemed", points.redeemed], ["expired", points.expired], ["reversed", points.reversed]]),
    "",
    `Referrals: ${percent(referrals.conversionPercent)} of friends who joined are confirmed`,
    ...grid([["joined", referrals.joined], ["qualified", referrals.qualified], ["confirmed", referrals.confirmed]]),
    "",
    "Segments (contacts now, whatever the period)",
    ...grid([...segments.sizes.map((s) => [s.segment, s.contacts] as Row), ["(no segment)", segments.unsegmented]], { bars: true }),
    "",
    `Product ratings: average ${products.average?.toFixed(2) ?? "–"}, ${products.rated} of ${products.requested} requests answered (${percent(products.responseRatePercent)})`,
    ...grid([...products.distribution].reverse().map((d) => [`score ${d.score}`, d.responses]), { bars: true }),
    ...(products.bySku.length
      ? ["", ...grid(products.bySku.map((p) => [product(p.sku, p.name), p.rated, p.average?.toFixed(2) ?? "–", p.requested, ...p.distribution.map((d) => d.responses)]),
        { header: ["by product", "ratings", "average", "asked", "1", "2", "3", "4", "5"] })]
      : []),
    "",
    `Low ratings (1-2): ${products.low.ratings}, of which ${products.low.reachedSupport} reached support (${percent(products.low.reachedSupportPercent)})`,
  ];
  return `${lines.join("\n")}\n`;
}

type Row = (string | number)[];

/**
 * Aligned columns: the first left-aligned, the others right-aligned. With `bars`, each row ends in
 * a bar as long as its first number relative to the largest (at least one block for anything above 0).
 */
function grid(rows: Row[], options: { header?: string[]; bars?: boolean } = {}): string[] {
  const all = options.header ? [options.header, ...rows] : rows;
  const widths = all[0]!.map((_, i) => Math.max(...all.map((row) => String(row[i] ?? "").length)));
  const counts = rows.map((row) => Number(row[1]));
  const max = Math.max(0, ...counts);
  return all.map((row, n) => {
    const cells = row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]!) : String(cell).padStart(widths[i]!)));
    const isHeader = options.header !== undefined && n === 0;
    const value = counts[options.header ? n - 1 : n]!;
    const drawn = options.bars && !isHeader ? bar(value, max, BAR_WIDTH) : "";
    const chart = drawn ? `  ${drawn}` : "";
    return `  ${cells.join("  ")}${chart}`.trimEnd();
  });
}

function duration(label: string, d: DurationFigures): Row {
  return [label, minutes(d.medianMinutes), minutes(d.p90Minutes), d.tickets];
}

const minutes = (m: number | null) => (m === null ? "–" : `${m.toFixed(1)} min`);
const percent = (p: number | null) => (p === null ? "–" : `${p.toFixed(1)}%`);
const answers = (n: number) => (n === 1 ? "1 answer" : `${n} answers`);
/** A product as "SKU name", shortened; an order rated without items as "(whole order)". */
function product(sku: string | null, name: string | null): string {
  if (sku === null) return "(whole order)";
  const label = name ? `${sku} ${name}` : sku;
  return label.length > 40 ? `${label.slice(0, 39)}…` : label;
}
/** `agent:U123` as Slack shows people: `@U123` (like `rapport tickets`). */
const agent = (actor: string) => actor.replace(/^agent:/, "@");

/** An instant as a person reads it: minutes unless there are seconds, always UTC. */
function when(iso: string): string {
  return `${(iso.endsWith(":00.000Z") ? iso.slice(0, 16) : iso.slice(0, -1)).replace("T", " ")} UTC`;
}
