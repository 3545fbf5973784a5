import { dateOf, maybeDate, type SqlReader } from "../db/openReader";
import { sql } from "../db/plan";
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
export async function runTickets(db: SqlReader, options: { all: boolean; json: boolean }, out: NodeJS.WritableStream, now = new Date()): Promise<number> {
  // SQL, not Prisma: this is one of the commands that must start fast (see openReader).
  const rows = await db.query(sql(`SELECT t.id, t.status, t.reason, t.created_at, t.closed_at, t.contact_id, t.channel, t.assignee, t.question, t.card_ref,
      c.display_name, c.username
    FROM tickets t JOIN contacts c ON c.id = t.contact_id
    ${options.all ? "" : `WHERE t.status IN (${ACTIVE_STATUSES.map(() => "?").join(", ")})`}
    ORDER BY t.created_at ${options.all ? "DESC" : "ASC"}, t.id ${options.all ? "DESC" : "ASC"}${options.all ? " LIMIT 200" : ""}`, ...(options.all ? [] : ACTIVE_STATUSES)));
  const listing: TicketListing[] = rows.map((t) => {
    const openedAt = dateOf(t.created_at);
    const cardRef = t.card_ref as string | null;
    return {
      id: String(t.id), status: String(t.status), reason: String(t.reason), openedAt: openedAt.toISOString(),
      waitingMinutes: Math.floor(((maybeDate(t.closed_at) ?? now).getTime() - openedAt.getTime()) / 60_000),
      customer: (t.display_name ?? t.username ?? t.contact_id) as string, contactId: String(t.contact_id), channel: t.channel as string | null,
      assignee: t.assignee as string | null, question: t.question as string | null, postedToStaff: Boolean(cardRef && !cardRef.startsWith("posting:")),
    };
  });
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
