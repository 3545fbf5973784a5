import type { ContactDelivery } from "../../campaigns/contactDeliveries";
import type { ConsentChange } from "../../marketing/consentHistory";
import { consentBlock, type ConsentMode } from "../../marketing/consent";
import { html, type Raw } from "../http/html";

const when = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "–");
const SOURCES: Record<ConsentChange["source"], string> = { chat: "the customer, in chat", operator: "an operator", api: "the HTTP API", unknown: "unknown" };
const STATES: Record<string, string> = { granted: "agreed (yes)", denied: "refused (no)" };
const REASONS: Record<string, string> = {
  opted_out: "they said no to marketing", no_consent: "they never said yes (opt-in)", unreachable: "cannot be reached", cancelled: "the campaign was cancelled",
  capped: "over the frequency cap", quiet_hours: "their quiet hours",
};

/** What a delivery's state means, in a few words (status and reason together). */
export function deliveryState(d: ContactDelivery): string {
  switch (d.status) {
    case "sent": return "sent";
    case "queued": return "in the outbox, going out";
    case "held": return "held in the outbox: the campaign is paused";
    case "cancelled": return "not sent: the campaign was cancelled";
    case "pending": return d.reason ? `waiting: ${REASONS[d.reason] ?? d.reason} (due ${when(d.dueAt)})` : `waiting (due ${when(d.dueAt)})`;
    case "skipped": return `skipped: ${REASONS[d.reason ?? ""] ?? d.reason ?? "no reason"}`;
    case "blocked": return "refused by the channel: they blocked the bot";
    case "failed": return `failed${d.lastError ? `: ${d.lastError}` : ""}`;
    default: return d.status;
  }
}

/**
 * The contact page's marketing part (issue 18): the consent stored on the contact with when and how
 * it changed (from the history's consent.* rows), whether campaigns may reach them under the
 * deployment's MARKETING_CONSENT mode, and every campaign delivery with its outcome.
 */
export function contactMarketingView(contact: { marketingConsent: string | null; marketingConsentAt: Date | null; unreachable: boolean; testCustomer: boolean }, mode: ConsentMode, changes: ConsentChange[], deliveries: ContactDelivery[]): Raw {
  const block = consentBlock(mode, contact.marketingConsent);
  const may = contact.testCustomer ? "no: a playground test customer (only a campaign that lists them under contacts: reaches them)" : contact.unreachable ? "no: they cannot be reached (blocked the bot or left)" : block === "opted_out" ? "no: they said no" : block === "no_consent" ? "no: this deployment asks first (MARKETING_CONSENT=opt_in) and they have not said yes" : "yes";
  return html`<section class="card" aria-labelledby="consent-h"><h2 id="consent-h">Marketing consent</h2>
<ul>
  <li>Now: <b id="c-consent">${contact.marketingConsent ? STATES[contact.marketingConsent] ?? contact.marketingConsent : "never said"}</b>${contact.marketingConsentAt ? ` since ${when(contact.marketingConsentAt)}` : ""}</li>
  <li>Campaigns may reach them: <span id="c-may-market">${may}</span></li>
</ul>
${changes.length === 0 ? html`<p>No change recorded.</p>` : html`<table id="consent-changes"><caption>Changes, newest first (from the contact history)</caption>
<thead><tr><th scope="col">When</th><th scope="col">From</th><th scope="col">To</th><th scope="col">By</th></tr></thead>
<tbody>${changes.map((c) => html`<tr><td>${when(c.at)}</td><td>${c.from ? STATES[c.from] ?? c.from : "never said"}</td><td>${STATES[c.to]}</td><td>${SOURCES[c.source]}</td></tr>`)}</tbody></table>`}
</section>
<section aria-labelledby="deliveries-h"><h2 id="deliveries-h">Campaign deliveries</h2>
${deliveries.length === 0 ? html`<p>No campaign has included this contact.</p>` : html`<table id="campaign-deliveries"><thead><tr><th scope="col">Campaign</th><th scope="col">Variant</th><th scope="col">What happened</th><th scope="col">Claimed</th><th scope="col">Sent</th><th scope="col">Bonus</th></tr></thead>
<tbody>${deliveries.map((d) => html`<tr data-campaign="${d.campaign}" data-status="${d.status}"><td>${d.campaign} <small>(${d.campaignStatus})</small></td><td>${d.variant}</td><td>${deliveryState(d)}</td><td>${when(d.queuedAt)}</td><td>${when(d.sentAt)}</td><td>${d.bonusPoints > 0 ? `+${d.bonusPoints}` : "–"}</td></tr>`)}</tbody></table>`}
</section>`;
}
