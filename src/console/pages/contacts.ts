import type { App } from "../../app/createApp";
import { MAX_SEARCH_RESULTS, searchContacts } from "../../contacts/searchContacts";
import { PLAYGROUND_ID_PREFIX } from "../../contacts/testContacts";
import { ContactNotFoundError } from "../../core/errors";
import { timeline } from "../../history/timeline";
import { AlreadyErasedError } from "../../privacy/errors";
import { contactDeliveries } from "../../campaigns/contactDeliveries";
import { consentHistory } from "../../marketing/consentHistory";
import { contactMarketingView } from "./contactMarketingView";
import { can } from "../auth/roles";
import type { ConsolePage } from "../http/consoleRoutes";
import { html } from "../http/html";
import { csrfField, page } from "../http/layout";
import { sendDownload, sendHtml } from "../http/respond";
import { notFoundPage } from "./signIn";

/** The contacts pages: search, one contact (timeline, points, tier, segment, consent, campaign deliveries, tickets), export and erase. */
export function contactsPages(app: App): ConsolePage[] {
  return [
    {
      method: "GET", pattern: /^\/console\/contacts$/, needs: "contacts", what: "see contacts",
      async handle({ res, url, session }) {
        const q = url.searchParams.get("q") ?? "";
        const found = await searchContacts(app.db, q);
        const body = html`
<form class="row" method="get" action="/console/contacts" role="search">
  <p><label for="q">Name, username, channel id or attribute (city=Warsaw)</label><br><input id="q" name="q" value="${q}" size="40"></p>
  <p><button type="submit">Search</button></p>
</form>
${q ? html`<table><caption>${found.length === MAX_SEARCH_RESULTS ? `First ${MAX_SEARCH_RESULTS} contacts` : `${found.length} contact${found.length === 1 ? "" : "s"}`} matching “${q}”</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Channels</th><th scope="col">Points</th><th scope="col">Tier</th><th scope="col">Segment</th></tr></thead>
<tbody>${found.map((c) => html`<tr><td><a href="/console/contacts/${encodeURIComponent(c.id)}">${c.displayName ?? c.username ?? c.id}</a></td><td>${c.identities.map((i) => `${i.channel}:${i.externalId}`).join(", ")}</td><td>${c.points}</td><td>${c.tier}</td><td>${c.segment ?? "–"}</td></tr>`)}</tbody></table>` : ""}`;
        sendHtml(res, 200, page("Contacts", session, body, "/console/contacts"));
      },
    },
    {
      method: "GET", pattern: /^\/console\/contacts\/([^/]+)$/, needs: "contacts", what: "see contacts",
      async handle({ res, session, params, url }) {
        const contact = await app.db.prisma.contact.findUnique({ where: { id: params[0]! }, include: { identities: true } });
        if (!contact || contact.erasedAt) return sendHtml(res, 404, notFoundPage(session, "There is no such contact (or the person was erased)."));
        const [entries, ledger, tickets, consentChanges, deliveries] = await Promise.all([
          timeline(app.db, contact.id, 200),
          app.db.prisma.ledgerEntry.findMany({ where: { contactId: contact.id }, orderBy: { createdAt: "desc" }, take: 50 }),
          app.db.prisma.ticket.findMany({ where: { contactId: contact.id }, orderBy: { createdAt: "desc" }, take: 50 }),
          consentHistory(app.db, contact.id),
          contactDeliveries(app.db, contact.id),
        ]);
        const attributes = JSON.parse(contact.attributes || "{}") as Record<string, unknown>;
        const erased = url.searchParams.get("erased");
        const body = html`
${erased ? html`<p role="status" class="ok">Erased.</p>` : ""}
<div class="figures">
  <div class="figure"><span>Points</span><b id="c-points">${contact.points}</b></div>
  <div class="figure"><span>Tier</span><b>${contact.tier}</b></div>
  <div class="figure"><span>Segment</span><b>${contact.segment ?? "–"}</b></div>
  <div class="figure"><span>Language</span><b>${contact.locale}</b></div>
</div>
<section class="card" aria-labelledby="profile-h"><h2 id="profile-h">Profile</h2>
<ul>
  <li>Name: ${contact.displayName ?? "–"}${contact.username ? html` (@${contact.username})` : ""}</li>
  <li>Channels: ${contact.identities.map((i) => `${i.channel}:${i.externalId}`).join(", ") || "none"}</li>
  <li>Reachable: ${contact.unreachable ? "no (blocked the bot or left); nothing is sent until they write again" : "yes"}</li>
  <li>Attributes: ${Object.keys(attributes).length === 0 ? "none" : Object.entries(attributes).map(([k, v]) => `${k}=${String(v)}`).join(", ")}</li>
  <li>Contact since ${contact.createdAt.toISOString().slice(0, 10)}; lifetime points ${contact.lifetimePoints}</li>
</ul>
<form method="post" action="/console/contacts/${encodeURIComponent(contact.id)}/export" class="inline">${csrfField(session)}<button type="submit">Export (JSON)</button></form>
${can(session.role, "contacts.erase") ? html` <form method="post" action="/console/contacts/${encodeURIComponent(contact.id)}/erase" class="inline" data-confirm="Erase everything held about this person? This cannot be undone.">${csrfField(session)}<button type="submit" class="danger">Erase…</button></form>` : ""}
</section>
${contactMarketingView({ ...contact, testCustomer: contact.identities.some((i) => i.channel === "webchat" && i.externalId.startsWith(PLAYGROUND_ID_PREFIX)) }, app.campaigns.rules().consent, consentChanges, deliveries)}
<section aria-labelledby="tickets-h"><h2 id="tickets-h">Tickets</h2>
${tickets.length === 0 ? html`<p>None.</p>` : html`<table><thead><tr><th scope="col">Opened</th><th scope="col">Status</th><th scope="col">Assignee</th><th scope="col">Question</th></tr></thead><tbody>${tickets.map((t) => html`<tr><td>${t.createdAt.toISOString().slice(0, 16).replace("T", " ")}</td><td>${t.status}</td><td>${t.assignee ?? "–"}</td><td>${t.question ?? ""}</td></tr>`)}</tbody></table>`}
</section>
<section aria-labelledby="ledger-h"><h2 id="ledger-h">Points ledger</h2>
${ledger.length === 0 ? html`<p>No entries.</p>` : html`<table><thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col">Points</th><th scope="col">Reason</th></tr></thead><tbody>${ledger.map((l) => html`<tr><td>${l.createdAt.toISOString().slice(0, 16).replace("T", " ")}</td><td>${l.kind}</td><td>${l.points > 0 ? `+${l.points}` : l.points}</td><td>${l.reason}</td></tr>`)}</tbody></table>`}
</section>
<section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2>
<table class="timeline" id="timeline"><caption>The last ${entries.length} entries, oldest first (as rapport contacts history shows them)</caption>
<thead><tr><th scope="col">When</th><th scope="col">Direction</th><th scope="col">Kind</th><th scope="col">Actor</th><th scope="col">Flow / step</th><th scope="col">Text</th></tr></thead>
<tbody>${entries.map((e) => html`<tr><td>${e.at.slice(0, 19).replace("T", " ")}</td><td>${e.direction}</td><td>${e.kind}</td><td>${e.actor}</td><td>${[e.flow, e.step].filter(Boolean).join(" / ")}</td><td>${e.text ?? ""}</td></tr>`)}</tbody></table>
</section>`;
        sendHtml(res, 200, page(contact.displayName ?? contact.username ?? `Contact ${contact.id}`, session, body, "/console/contacts"));
      },
    },
    {
      method: "POST", pattern: /^\/console\/contacts\/([^/]+)\/export$/, needs: "contacts.export", what: "export a person's data",
      async handle({ res, session, params, actor }) {
        try {
          const doc = await app.rights.export(params[0]!, actor); // audited as contact.export by console:<name>
          sendDownload(res, `contact-${params[0]}.json`, "application/json; charset=utf-8", `${JSON.stringify(doc, null, 2)}\n`);
        } catch (error) {
          if (error instanceof ContactNotFoundError) return sendHtml(res, 404, notFoundPage(session, "There is no such contact."));
          throw error;
        }
      },
    },
    {
      method: "POST", pattern: /^\/console\/contacts\/([^/]+)\/erase$/, needs: "contacts.erase", what: "erase a person's data (admins only)",
      async handle({ res, session, params, actor }) {
        try {
          const outcome = await app.rights.erase(params[0]!, actor); // audited as contact.erase
          const left = outcome.staff.left;
          sendHtml(res, 200, page("Erased", session, html`<p role="status">The person is erased. What accounting needs stays under the pseudonym <code>${outcome.pseudonym}</code>.</p>
${left.length > 0 ? html`<p class="problem">Copies left in Slack, to remove by hand:</p><ul>${left.map((l) => html`<li>${l.ref.channel}/${l.ref.ts}: ${l.reason}</li>`)}</ul>` : ""}
<p><a href="/console/contacts">Back to contacts</a></p>`, "/console/contacts"));
        } catch (error) {
          if (error instanceof ContactNotFoundError || error instanceof AlreadyErasedError) return sendHtml(res, 404, notFoundPage(session, (error as Error).message));
          throw error;
        }
      },
    },
  ];
}

