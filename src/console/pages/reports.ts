import type { App } from "../../app/createApp";
import { campaignResults } from "../../campaigns/campaignResults";
import type { CampaignReport } from "../../campaigns/report";
import { parsePeriod, PeriodError } from "../../feedback/period";
import { buildReport, type Report } from "../../feedback/report";
import { barChart } from "../charts/barChart";
import type { ConsolePage } from "../http/consoleRoutes";
import { html, Raw } from "../http/html";
import { page } from "../http/layout";
import { sendDownload, sendHtml, sendText } from "../http/respond";
import { campaignCsvRows, campaignResultsView } from "./campaignResultsView";

/**
 * The report's figures (products and campaigns included) as rows of `section,measure,key,value`: one
 * CSV for any spreadsheet, the same numbers as the charts (and as `rapport report --json` and
 * `rapport campaigns status`).
 */
export function reportCsv(r: Report, campaigns: CampaignReport[] = []): string {
  const rows: (string | number | null)[][] = [["section", "measure", "key", "value"]];
  const add = (section: string, measure: string, key: string, value: number | null) => rows.push([section, measure, key, value]);
  add("period", "from", "", null); rows[rows.length - 1]![3] = r.period.from;
  add("period", "to", "", null); rows[rows.length - 1]![3] = r.period.to;
  add("nps", "responses", "", r.nps.responses); add("nps", "promoters", "", r.nps.promoters); add("nps", "passives", "", r.nps.passives); add("nps", "detractors", "", r.nps.detractors); add("nps", "score", "", r.nps.score);
  add("csat", "responses", "", r.csat.responses); add("csat", "average", "", r.csat.average); add("csat", "satisfied_percent", "", r.csat.satisfiedPercent);
  for (const d of r.csat.distribution) add("csat", "responses_by_score", String(d.score), d.responses);
  for (const a of r.csat.byAgent) { add("csat", "agent_responses", a.agent, a.responses); add("csat", "agent_average", a.agent, a.average); }
  add("tickets", "opened", "", r.tickets.opened);
  for (const [status, n] of Object.entries(r.tickets.byStatus)) add("tickets", "by_status", status, n);
  add("tickets", "first_response_median_minutes", "", r.tickets.firstResponse.medianMinutes); add("tickets", "first_response_p90_minutes", "", r.tickets.firstResponse.p90Minutes);
  add("tickets", "resolution_median_minutes", "", r.tickets.resolution.medianMinutes); add("tickets", "resolution_p90_minutes", "", r.tickets.resolution.p90Minutes);
  for (const a of r.tickets.byAgent) { add("tickets", "agent_handled", a.agent, a.handled); add("tickets", "agent_resolved", a.agent, a.resolved); }
  add("points", "issued", "", r.points.issued); add("points", "redeemed", "", r.points.redeemed); add("points", "expired", "", r.points.expired); add("points", "reversed", "", r.points.reversed);
  add("referrals", "joined", "", r.referrals.joined); add("referrals", "qualified", "", r.referrals.qualified); add("referrals", "confirmed", "", r.referrals.confirmed); add("referrals", "conversion_percent", "", r.referrals.conversionPercent);
  const pr = r.products;
  add("products", "requested", "", pr.requested); add("products", "rated", "", pr.rated); add("products", "response_rate_percent", "", pr.responseRatePercent); add("products", "average", "", pr.average);
  for (const d of pr.distribution) add("products", "ratings_by_score", String(d.score), d.responses);
  for (const p of pr.bySku) { add("products", "sku_rated", p.sku ?? "(whole order)", p.rated); add("products", "sku_average", p.sku ?? "(whole order)", p.average); }
  add("products", "low_ratings", "", pr.low.ratings); add("products", "low_reached_support", "", pr.low.reachedSupport);
  for (const s of r.segments.sizes) add("segments", "contacts", s.segment, s.contacts);
  add("segments", "unsegmented", "", r.segments.unsegmented);
  rows.push(...campaignCsvRows(campaigns));
  return `${rows.map((row) => row.map(csvCell).join(",")).join("\n")}\n`;
}

function csvCell(v: string | number | null): string {
  if (v === null) return "";
  const s = String(v);
  // A leading = + - @ would run as a formula in a spreadsheet: quote it with an apostrophe.
  const safe = /^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The reports page (charts for a chosen period) and its CSV download. */
export function reportsPages(app: App): ConsolePage[] {
  const periodOf = (url: URL) => parsePeriod({ from: url.searchParams.get("from") || undefined, to: url.searchParams.get("to") || undefined });
  return [
    {
      method: "GET", pattern: /^\/console\/reports$/, needs: "reports", what: "see reports",
      async handle({ res, url, session }) {
        const from = url.searchParams.get("from") ?? "";
        const to = url.searchParams.get("to") ?? "";
        let body: Raw;
        try {
          const period = periodOf(url);
          const [r, campaigns] = await Promise.all([buildReport(app.db, period), campaignResults(app.db, period)]);
          body = html`${periodForm(from, to)}${reportView(r, url.search)}${campaignResultsView(campaigns)}`;
        } catch (error) {
          if (!(error instanceof PeriodError)) throw error;
          body = html`${periodForm(from, to)}<p class="problem" role="alert">${error.message}</p>`;
        }
        sendHtml(res, 200, page("Reports", session, body, "/console/reports"));
      },
    },
    {
      method: "GET", pattern: /^\/console\/reports\.csv$/, needs: "reports", what: "download reports",
      async handle({ res, url }) {
        let period;
        try {
          period = periodOf(url);
        } catch (error) {
          if (!(error instanceof PeriodError)) throw error;
          return sendText(res, 400, `${error.message}\n`);
        }
        const [r, campaigns] = await Promise.all([buildReport(app.db, period), campaignResults(app.db, period)]);
        sendDownload(res, `rapport-report-${r.period.from.slice(0, 10)}-${r.period.to.slice(0, 10)}.csv`, "text/csv; charset=utf-8", reportCsv(r, campaigns));
      },
    },
  ];
}

function periodForm(from: string, to: string): Raw {
  return html`<form class="row" method="get" action="/console/reports">
<p><label for="from">From (YYYY-MM-DD)</label><br><input id="from" name="from" value="${from}" placeholder="30 days ago"></p>
<p><label for="to">To, included (YYYY-MM-DD)</label><br><input id="to" name="to" value="${to}" placeholder="now"></p>
<p><button type="submit">Show</button></p></form>`;
}

function reportView(r: Report, search: string): Raw {
  const chart = (title: string, bars: { label: string; value: number | null }[], unit = "") => html`<figure class="chart">${new Raw(barChart(title, bars, unit))}<figcaption>${title}</figcaption></figure>`;
  return html`<p id="period">From ${r.period.from} to ${r.period.to} (excluded). <a href="/console/reports.csv${search}" download>Download CSV</a></p>
<div class="figures">
  <div class="figure"><span>NPS</span><b id="nps-score">${r.nps.score ?? "–"}</b><small>${r.nps.responses} answers</small></div>
  <div class="figure"><span>CSAT average</span><b id="csat-average">${r.csat.average ?? "–"}</b><small>${r.csat.responses} answers</small></div>
  <div class="figure"><span>Tickets opened</span><b id="tickets-opened">${r.tickets.opened}</b></div>
  <div class="figure"><span>Product rating</span><b>${r.products.average ?? "–"}</b><small>${r.products.rated} of ${r.products.requested} asked</small></div>
  <div class="figure"><span>Referral conversion</span><b>${r.referrals.conversionPercent === null ? "–" : `${r.referrals.conversionPercent}%`}</b><small>${r.referrals.joined} joined</small></div>
</div>
${chart("NPS answers", [{ label: "Promoters (9-10)", value: r.nps.promoters }, { label: "Passives (7-8)", value: r.nps.passives }, { label: "Detractors (0-6)", value: r.nps.detractors }])}
${chart("CSAT answers by score", r.csat.distribution.map((d) => ({ label: `Score ${d.score}`, value: d.responses })))}
${chart("Support times in minutes", [
    { label: "First response, median", value: r.tickets.firstResponse.medianMinutes }, { label: "First response, p90", value: r.tickets.firstResponse.p90Minutes },
    { label: "Resolution, median", value: r.tickets.resolution.medianMinutes }, { label: "Resolution, p90", value: r.tickets.resolution.p90Minutes }], " min")}
${chart("Tickets by status", Object.entries(r.tickets.byStatus).map(([s, n]) => ({ label: s.replace("_", " "), value: n })))}
${r.tickets.byAgent.length > 0 ? chart("Tickets per agent", r.tickets.byAgent.map((a) => ({ label: a.agent, value: a.handled }))) : ""}
${chart("Points", [{ label: "Issued", value: r.points.issued }, { label: "Redeemed", value: r.points.redeemed }, { label: "Expired", value: r.points.expired }, { label: "Reversed", value: r.points.reversed }])}
${chart("Referrals", [{ label: "Joined", value: r.referrals.joined }, { label: "Qualified", value: r.referrals.qualified }, { label: "Confirmed", value: r.referrals.confirmed }])}
${chart("Product ratings by score", r.products.distribution.map((d) => ({ label: `${d.score} star${d.score === 1 ? "" : "s"}`, value: d.responses })))}
${r.products.bySku.length > 0 ? chart("Average rating per product", r.products.bySku.slice(0, 15).map((p) => ({ label: p.name ?? p.sku ?? "whole order", value: p.average }))) : ""}
${chart("Segments (contacts now)", [...r.segments.sizes.map((s) => ({ label: s.segment.replace("_", " "), value: s.contacts })), { label: "unsegmented", value: r.segments.unsegmented }])}`;
}
