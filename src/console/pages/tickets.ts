import type { App } from "../../app/createApp";
import { TicketClosedError } from "../../support/errors";
import { operatorActor } from "../../support/Ticket";
import type { ConsolePage } from "../http/consoleRoutes";
import { html } from "../http/html";
import { csrfField, page } from "../http/layout";
import { redirect, sendHtml } from "../http/respond";
import { notFoundPage } from "./signIn";

/**
 * Who a console user is on a ticket: an operator, `operator:<name>@console`, as the CLI's operators
 * are `operator:<name>` (tickets, history, audit and reports read it like any staff member).
 */
export function consoleStaff(user: string): `operator:${string}` {
  return operatorActor(`${user}@console`);
}

/**
 * The support queue for teams without Slack (or beside it): open and claimed tickets, oldest
 * first, with claim, reply, resolve and hand back. Each goes through the support desk exactly as
 * `rapport tickets claim|reply|resolve` and Slack's buttons do: stored with a history row and an
 * audit row, and the customer told by the outbox, like a reply in the ticket's Slack thread.
 */
export function ticketsPages(app: App): ConsolePage[] {
  const act = (name: string, run: (ticketId: string, staff: `operator:${string}`, form: Map<string, string>) => Promise<unknown>): ConsolePage => ({
    method: "POST", pattern: new RegExp(`^/console/tickets/([^/]+)/${name}$`), needs: "tickets", what: "work on tickets",
    async handle({ res, session, params, form }) {
      const ticket = await app.db.prisma.ticket.findUnique({ where: { id: params[0]! } });
      if (!ticket) return sendHtml(res, 404, notFoundPage(session, "There is no such ticket."));
      let outcome: unknown;
      try {
        outcome = await run(ticket.id, consoleStaff(session.user), form);
      } catch (error) {
        if (!(error instanceof TicketClosedError)) throw error;
        outcome = false;
      }
      redirect(res, `/console/tickets?done=${encodeURIComponent(`${name}:${outcome === false ? "refused" : "ok"}`)}#t-${ticket.id}`);
    },
  });
  return [
    {
      method: "GET", pattern: /^\/console\/tickets$/, needs: "tickets", what: "work on tickets",
      async handle({ res, session, url }) {
        const tickets = await app.db.prisma.ticket.findMany({ where: { status: { in: ["open", "claimed"] } }, orderBy: { createdAt: "asc" }, take: 200, include: { contact: { include: { identities: true } } } });
        const done = url.searchParams.get("done");
        const body = html`
${done ? html`<p role="status" class="${done.endsWith("refused") ? "problem" : "ok"}">${done.endsWith("refused") ? "That ticket was already closed." : "Done; the customer is told by the running bot."}</p>` : ""}
${tickets.length === 0 ? html`<p>The queue is empty.</p>` : tickets.map((t) => html`<section class="card ticket" id="t-${t.id}" aria-labelledby="h-${t.id}">
<h2 id="h-${t.id}">${t.contact.displayName ?? t.contact.identities[0]?.externalId ?? t.contactId} · <span class="badge">${t.status}</span></h2>
<p>Opened ${t.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC on ${t.channel ?? "–"} (${t.reason.replace(/_/g, " ")})${t.assignee ? html`; assigned to ${t.assignee}` : ""}. <a href="/console/contacts/${encodeURIComponent(t.contactId)}">Contact</a></p>
<blockquote>${t.question ?? ""}</blockquote>
${t.status === "open" ? html`<form method="post" action="/console/tickets/${t.id}/claim" class="inline">${csrfField(session)}<button type="submit">Claim</button></form>` : ""}
<form method="post" action="/console/tickets/${t.id}/reply" class="row">${csrfField(session)}
  <p><label for="reply-${t.id}">Reply to the customer</label><br><textarea id="reply-${t.id}" name="text" rows="2" cols="60" required></textarea></p>
  <p><button type="submit">Send reply</button></p>
</form>
<form method="post" action="/console/tickets/${t.id}/resolve" class="inline">${csrfField(session)}<button type="submit">Resolve</button></form>
<form method="post" action="/console/tickets/${t.id}/hand-back" class="inline">${csrfField(session)}<button type="submit" class="secondary">Hand back to the bot</button></form>
</section>`)}`;
        sendHtml(res, 200, page("Tickets", session, body, "/console/tickets"));
      },
    },
    act("claim", (id, staff) => app.support.claimBy(id, staff)),
    act("reply", async (id, staff, form) => {
      const text = (form.get("text") ?? "").trim();
      if (text === "") return false;
      return app.support.replyBy(id, staff, text);
    }),
    act("resolve", (id, staff) => app.support.close(id, "resolved", staff)),
    act("hand-back", (id, staff) => app.support.close(id, "handed_back", staff)),
  ];
}
