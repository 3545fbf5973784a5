import type { CampaignCounts, CampaignReport } from "../../campaigns/report";
import { stackedBarChart, type Part } from "../charts/stackedBarChart";
import { html, Raw } from "../http/html";

/** The outcome parts of a campaign's audience, in the order drawn; they add up to the audience. */
export function outcomeParts(c: CampaignCounts): Part[] {
  const skipped = Object.values(c.skipped).reduce((s, n) => s + n, 0);
  const reached = c.delivered;
  const failed = c.failed + c.blocked;
  // Of `pending`, those already in the outbox (going out, retrying, or held while paused).
  const underWay = c.queued;
  const waiting = c.pending - c.queued;
  return [
    { name: "Sent", colour: "#146c2e", value: reached },
    { name: "In the outbox", colour: "#1d4ed8", value: underWay },
    { name: "Waiting", colour: "#9a4a00", value: waiting },
    { name: "Skipped", colour: "#5b6472", value: skipped },
    { name: "Failed or blocked", colour: "#b42318", value: failed },
  ];
}

/**
 * The campaigns part of the reports page: a stacked bar per campaign (what became of its audience)
 * and a table with every figure of `rapport campaigns status`, per campaign and per A/B variant.
 */
export function campaignResultsView(reports: CampaignReport[]): Raw {
  if (reports.length === 0) return html`<section aria-labelledby="campaigns-h"><h2 id="campaigns-h">Campaigns</h2><p>No campaign ran in this period.</p></section>`;
  const rows = reports.flatMap((r) => [
    { label: r.campaign, status: r.status, c: r as CampaignCounts, variant: "" },
    ...(Object.keys(r.variants).length > 1 ? Object.entries(r.variants).map(([v, c]) => ({ label: `${r.campaign} / ${v}`, status: "", c, variant: v })) : []),
  ]);
  const skipped = (c: CampaignCounts) => `${c.skipped.opted_out} / ${c.skipped.no_consent} / ${c.skipped.unreachable} / ${c.skipped.cancelled}`;
  return html`<section aria-labelledby="campaigns-h"><h2 id="campaigns-h">Campaigns</h2>
<p class="hint">Campaigns that ran in the period; their figures are the whole run so far. Replies and opt-outs count within each campaign's conversion window after its message.</p>
<figure class="chart">${new Raw(stackedBarChart("What became of each campaign's audience", reports.map((r) => ({ label: r.campaign, parts: outcomeParts(r) }))))}<figcaption>What became of each campaign's audience</figcaption></figure>
<div class="scroll" tabindex="0" role="region" aria-label="Campaign figures"><table id="campaign-results"><caption>Campaign figures</caption>
<thead><tr><th scope="col">Campaign</th><th scope="col">Status</th><th scope="col">Audience</th><th scope="col">Sent</th><th scope="col">In the outbox</th><th scope="col">Failed</th><th scope="col">Blocked</th>
<th scope="col">Skipped: opted out / no consent / unreachable / cancelled</th><th scope="col">Waiting: cap / quiet hours / due</th><th scope="col">Replied</th><th scope="col">Opted out after</th><th scope="col">Converted</th><th scope="col">Bonus points</th></tr></thead>
<tbody>${rows.map((row) => html`<tr data-campaign="${row.label}"><th scope="row">${row.label}</th><td>${row.status}</td><td data-m="audience">${row.c.audience}</td><td data-m="sent">${row.c.sent}</td><td data-m="queued">${row.c.queued}</td><td data-m="failed">${row.c.failed}${Object.keys(row.c.failures).length > 0 ? html`<br><small>${Object.entries(row.c.failures).map(([why, n]) => `${n}× ${why}`).join("; ")}</small>` : ""}</td><td data-m="blocked">${row.c.blocked}</td>
<td data-m="skipped">${skipped(row.c)}</td><td data-m="waiting">${row.c.deferred.capped} / ${row.c.deferred.quiet_hours} / ${row.c.pending - row.c.queued - row.c.deferred.capped - row.c.deferred.quiet_hours}</td>
<td data-m="replied">${row.c.replied}</td><td data-m="opted_out">${row.c.optedOut}</td><td data-m="converted">${row.c.converted.customers}</td><td data-m="bonus">${row.c.bonusPoints}</td></tr>`)}</tbody></table></div>
</section>`;
}

/** The campaigns' rows of the report CSV: `campaign,<measure>,<name or name/variant>,<value>`. */
export function campaignCsvRows(reports: CampaignReport[]): (string | number | null)[][] {
  const out: (string | number | null)[][] = [];
  for (const r of reports) {
    const each: [string, CampaignCounts][] = [[r.campaign, r], ...(Object.keys(r.variants).length > 1 ? Object.entries(r.variants).map(([v, c]) => [`${r.campaign}/${v}`, c] as [string, CampaignCounts]) : [])];
    for (const [key, c] of each) {
      const add = (measure: string, value: number) => out.push(["campaign", measure, key, value]);
      add("audience", c.audience); add("sent", c.sent); add("delivered", c.delivered); add("queued", c.queued); add("failed", c.failed); add("blocked", c.blocked);
      for (const [why, n] of Object.entries(c.failures)) out.push(["campaign", "failed_because", `${key}: ${why}`, n]);
      for (const [reason, n] of Object.entries(c.skipped)) add(`skipped_${reason}`, n);
      for (const [reason, n] of Object.entries(c.deferred)) add(`deferred_${reason}`, n);
      add("pending", c.pending); add("replied", c.replied); add("opted_out", c.optedOut);
      add("converted_customers", c.converted.customers); add("converted_revenue_minor", c.converted.revenueMinor); add("bonus_points", c.bonusPoints);
    }
  }
  return out;
}
