import { userInfo } from "node:os";
import type { App } from "../app/createApp";
import { TicketClosedError, TicketNotFoundError } from "../support/errors";
import { operatorActor, type StaffActor } from "../support/Ticket";
import { UsageError } from "./UsageError";

// `rapport tickets claim|reply|resolve|hand-back <id>`: support without Slack. Each goes through the
// support desk exactly as the Slack buttons and thread replies do (stored, history row, customer told
// by the running bot's outbox); this process only stores: it runs no channel.

/**
 * Who the operator is: `--as <name>`, else the OS user name (USER, or the account's name), as
 * `operator:<name>` in the ticket and the contact history.
 */
export function operatorOf(as: string | undefined): StaffActor {
  let name = as ?? process.env.USER ?? process.env.USERNAME;
  if (!name) {
    try {
      name = userInfo().username;
    } catch {
      name = "operator"; // a container user without a name
    }
  }
  return operatorActor(name);
}

/**
 * The ticket an operator means: its id, or the start of one if exactly one ticket's id starts so
 * (ids are long; `rapport tickets` shows them whole).
 */
export async function resolveTicketId(app: App, reference: string): Promise<{ id: string; customer: string }> {
  const exact = await app.db.prisma.ticket.findUnique({ where: { id: reference }, include: { contact: { include: { identities: true } } } });
  const matches = exact ? [exact] : reference.length >= 4
    ? await app.db.prisma.ticket.findMany({ where: { id: { startsWith: reference } }, take: 2, include: { contact: { include: { identities: true } } } })
    : [];
  if (matches.length === 0) throw new TicketNotFoundError(reference);
  if (matches.length > 1) throw new UsageError(`"${reference}" is the start of several ticket ids; give more of it (\`rapport tickets --all\` lists them)`);
  const t = matches[0]!;
  const identity = t.contact.identities[0];
  const handle = identity ? `${identity.channel}:${identity.externalId}` : t.contactId;
  return { id: t.id, customer: t.contact.displayName ? `${t.contact.displayName} (${handle})` : handle };
}

/** `rapport tickets claim <id>`: the ticket becomes the operator's. */
export async function runTicketClaim(app: App, reference: string, as: string | undefined, out: NodeJS.WritableStream): Promise<number> {
  const ticket = await resolveTicketId(app, reference);
  const actor = operatorOf(as);
  const outcome = await app.support.claimBy(ticket.id, actor);
  out.write(`ticket ${ticket.id} (${ticket.customer}) ${outcome === "already" ? "is yours already" : `claimed by ${actor}`}\n`);
  return 0;
}

/** `rapport tickets reply <id> <text>`: a message to the customer, delivered by the running bot. */
export async function runTicketReply(app: App, reference: string, text: string, as: string | undefined, out: NodeJS.WritableStream): Promise<number> {
  if (text.trim() === "") throw new UsageError("tickets reply needs the message text, e.g. rapport tickets reply <id> 'It ships tomorrow.'");
  const ticket = await resolveTicketId(app, reference);
  const actor = operatorOf(as);
  const outcome = await app.support.replyBy(ticket.id, actor, text);
  out.write(`reply to ${ticket.customer} stored${outcome === "claimed" ? ` (ticket ${ticket.id} is now claimed by ${actor})` : ""}; the running bot (npm start) delivers it\n`);
  return 0;
}

/** `rapport tickets resolve|hand-back <id>`: closes the ticket; the customer is told by the running bot. */
export async function runTicketClose(app: App, reference: string, status: "resolved" | "handed_back", as: string | undefined, out: NodeJS.WritableStream): Promise<number> {
  const ticket = await resolveTicketId(app, reference);
  const actor = operatorOf(as);
  const closed = await app.support.close(ticket.id, status, actor);
  if (!closed) {
    const now = await app.db.prisma.ticket.findUnique({ where: { id: ticket.id }, select: { status: true } });
    throw new TicketClosedError(ticket.id, now?.status ?? "closed");
  }
  out.write(`ticket ${ticket.id} (${ticket.customer}) ${status === "resolved" ? "resolved" : "handed back to the bot"} by ${actor}; the running bot (npm start) tells the customer\n`);
  return 0;
}
