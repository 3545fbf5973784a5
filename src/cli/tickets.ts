import type { Database } from "../db/Database";
import { ACTIVE_STATUSES } from "../support/Ticket";
import { truncate } from "../support/TicketCard";

/** One row of `rapport tickets --json`. */
export interface TicketListing {
  id: string;
  status: string;
  reason: string;
  openedAt: string;
  waitingMinutes: number;
  customer: string;
  contactId: string;
  channel: string | null;
  assignee: string | null;
  question: string | null;
  postedToStaff: boolean;
}

/**
 * `rapport tickets [--all] [--json]`: the support queue, oldest first: tickets waiting for a person
 * or being handled (with --all, closed ones too, newest 200). Works without Slack, so an operator
 * sees what customers are waiting for even when support is offline.
 */
export async function runTickets(db: Database, options: { all: boolean; json: boolean }, out: NodeJS.WritableStream, now = new Date()): Promise<number> {
  const rows = await db.prisma.ticket.findMany({
    where: options.all ? {} : { status: { in: [...ACTIVE_STATUSES] } },
    orderBy: { createdAt: options.all ? "desc" : "asc" },
    take: options.all ? 200 : undefined,
    include: { contact: { select: { displayName: true, username: true } } },
  });
  const listing: TicketListing[] = rows.map((t) => ({
    id: t.id, status: t.status, reason: t.reason, openedAt: t.createdAt.toISOString(),
    waitingMinutes: Math.floor(((t.closedAt ?? now).getTime() - t.createdAt.getTime()) / 60_000),
    customer: t.contact.displayName ?? t.contact.username ?? t.contactId, contactId: t.contactId, channel: t.channel,
    assignee: t.assignee, question: t.question, postedToStaff: Boolean(t.cardRef && !t.cardRef.startsWith("posting:")),
  }));
  if (options.json) {
    out.write(`${JSON.stringify(listing, null, 2)}\n`);
    return 0;
  }
  for (const t of listing) {
    const who = t.assignee ? ` ${t.assignee.replace(/^agent:/, "@")}` : "";
    const where = t.postedToStaff ? "" : " (not in Slack yet)";
    out.write(`${t.id}  ${t.status}${who}  ${t.waitingMinutes} min  ${t.customer} [${t.channel ?? "?"}]${where}\n    ${truncate((t.question ?? "").replace(/\s+/g, " "), 100).text}\n`);
  }
  const active = listing.filter((t) => (ACTIVE_STATUSES as readonly string[]).includes(t.status));
  const waiting = active.filter((t) => t.status === "open").length;
  out.write(`${waiting} waiting for a person, ${active.length - waiting} being handled${options.all ? `, ${listing.length - active.length} closed (newest 200 shown)` : ""}\n`);
  return 0;
}
