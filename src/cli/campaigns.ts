import type { App } from "../app/createApp";
import type { CampaignPreview } from "../campaigns/Campaigns";
import type { CampaignCounts, CampaignReport } from "../campaigns/report";
import { RapportError } from "../core/errors";

/** `campaigns send` without --yes: nothing was sent; the message says to whom it would go. */
export class CampaignConfirmationError extends RapportError {
  readonly code = "rapport_confirmation_needed";
  constructor(readonly campaign: string, preview: CampaignPreview) {
    super(`campaign "${campaign}" would go to ${preview.send} of ${preview.audience} customers now (${preview.deferred.capped + preview.deferred.quiet_hours} later, ${skippedTotal(preview.skipped)} skipped); nothing was sent\n  hint: add --yes to send it`);
  }
}

function skippedTotal(skipped: Record<string, number>): number {
  return Object.values(skipped).reduce((a, b) => a + b, 0);
}

/** `rapport campaigns preview <name> [--json]`: the audience now and what would happen to it; nothing is sent. */
export async function runCampaignsPreview(app: App, name: string, json: boolean, out: NodeJS.WritableStream): Promise<number> {
  const p = await app.campaigns.preview(name);
  if (json) {
    out.write(`${JSON.stringify(p)}\n`);
    return 0;
  }
  out.write(`campaign ${name}: ${p.audience} in the audience\n`);
  out.write(`  now          ${p.send}\n`);
  out.write(`  later        ${p.deferred.capped} over the frequency cap, ${p.deferred.quiet_hours} in quiet hours (they wait, they are not dropped)\n`);
  out.write(`  skipped      ${p.skipped.opted_out} opted out, ${p.skipped.no_consent} without consent, ${p.skipped.unreachable} unreachable\n`);
  if (Object.keys(p.variants).length > 1) out.write(`  variants     ${Object.entries(p.variants).map(([v, n]) => `${v}: ${n}`).join(", ")}\n`);
  out.write("nothing was sent; send it with: rapport campaigns send " + name + " --yes\n");
  return 0;
}

/** `rapport campaigns send <name> --yes`: hands the campaign to the running bot; without --yes, only the preview. */
export async function runCampaignsSend(app: App, name: string, options: { yes: boolean; json: boolean; actor: string }, out: NodeJS.WritableStream): Promise<number> {
  if (!options.yes) throw new CampaignConfirmationError(name, await app.campaigns.preview(name));
  const row = await app.campaigns.send(name, options.actor);
  if (options.json) out.write(`${JSON.stringify({ campaign: row.name, status: row.status, startAt: row.startAt.toISOString() })}\n`);
  else out.write(row.status === "scheduled"
    ? `campaign ${name} scheduled for ${row.startAt.toISOString()}; the running bot (npm start) sends it then\n`
    : `campaign ${name} sent to the running bot (npm start), which delivers it now, paced; follow it with: rapport campaigns status ${name}\n`);
  return 0;
}

/** `rapport campaigns pause|resume|cancel <name>`. */
export async function runCampaignsChange(app: App, name: string, action: "pause" | "resume" | "cancel", options: { json: boolean; actor: string }, out: NodeJS.WritableStream): Promise<number> {
  const row = await app.campaigns.change(name, action, options.actor);
  out.write(options.json ? `${JSON.stringify({ campaign: row.name, status: row.status })}\n` : `campaign ${name} is ${row.status}\n`);
  return 0;
}

/** `rapport campaigns status <name> [--json]`: the report, per variant too. */
export async function runCampaignsStatus(app: App, name: string, json: boolean, out: NodeJS.WritableStream): Promise<number> {
  const r = await app.campaigns.report(name);
  if (json) {
    out.write(`${JSON.stringify(r)}\n`);
    return 0;
  }
  out.write(`campaign ${name}: ${r.status}${r.ongoing ? " (ongoing)" : ""}, since ${r.startAt}${r.finishedAt ? `, ended ${r.finishedAt}` : ""}\n`);
  const rows: [string, CampaignCounts][] = [["all", r], ...(Object.keys(r.variants).length > 1 ? Object.entries(r.variants).map(([v, c]) => [`variant ${v}`, c] as [string, CampaignCounts]) : [])];
  for (const [label, c] of rows) out.write(describe(label, c, r));
  return 0;
}

function describe(label: string, c: CampaignCounts, r: CampaignReport): string {
  const money = (minor: number) => (minor / 100).toFixed(2);
  return [
    `${label}:`,
    `  audience ${c.audience}, sent ${c.sent}, delivered ${c.delivered}, failed ${c.failed}, blocked ${c.blocked}, pending ${c.pending} (waiting: ${c.deferred.capped} cap, ${c.deferred.quiet_hours} quiet hours)`,
    `  skipped: ${c.skipped.opted_out} opted out, ${c.skipped.no_consent} no consent, ${c.skipped.unreachable} unreachable, ${c.skipped.cancelled} cancelled`,
    `  within ${r.conversionWindowDays} days: ${c.replied} replied, ${c.optedOut} opted out after it, ${c.converted.customers} bought (${money(c.converted.revenueMinor)} revenue, ${c.converted.points} points)${c.bonusPoints ? `; bonus paid ${c.bonusPoints} points` : ""}`,
    "",
  ].join("\n");
}
