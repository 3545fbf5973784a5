import type { Prisma } from "../db/Database";
import type { TicketStatus } from "./Ticket";

/** One line of recent history on a card. */
export interface CardHistoryLine {
  at: Date;
  /** customer, bot, system or agent:<id> */
  actor: string;
  direction: string;
  kind: string;
  text: string;
}

/**
 * Everything staff see on a ticket's card, channel-neutral: the Slack adapter renders it as blocks.
 * Long texts are already cut to `CARD_TEXT_LIMIT`; `questionTruncated` says the full text is in the thread.
 */
export interface TicketCard {
  ticketId: string;
  status: TicketStatus;
  assignee: string | null;
  closedBy: string | null;
  reason: string;
  openedAt: Date;
  /** The customer was told nobody had answered yet. */
  unanswered: boolean;
  customer: {
    name: string;
    username: string | null;
    locale: string;
    channel: string | null;
    tier: string;
    points: number;
    segment: string | null;
  };
  question: string;
  questionTruncated: boolean;
  /** The last entries of the contact history before the ticket opened, oldest first. */
  history: CardHistoryLine[];
}

/** How many characters of the question a card shows; the full question goes into the thread. */
export const CARD_TEXT_LIMIT = 500;
/** How many characters of each history line a card shows. */
const HISTORY_LINE_LIMIT = 150;
/** History kinds a card leaves out: the flow engine's bookkeeping (an answer repeats the customer's message). */
const FLOW_BOOKKEEPING = ["flow.start", "flow.end", "answer", "answer.invalid", "digression"];
/** How many history entries a card shows. */
export const CARD_HISTORY_ENTRIES = 10;

/** Cuts text to `limit` characters (not splitting a surrogate pair), marking the cut with "…". */
export function truncate(text: string, limit: number): { text: string; truncated: boolean } {
  const chars = [...text];
  if (chars.length <= limit) return { text, truncated: false };
  return { text: `${chars.slice(0, limit - 1).join("")}…`, truncated: true };
}

/** Reads a ticket, its contact and the contact's recent history into a card. */
export async function buildTicketCard(prisma: Prisma, ticketId: string): Promise<TicketCard> {
  const ticket = await prisma.ticket.findUniqueOrThrow({ where: { id: ticketId }, include: { contact: true } });
  const rows = await prisma.interaction.findMany({
    where: { contactId: ticket.contactId, occurredAt: { lte: ticket.createdAt }, direction: { in: ["in", "out", "event"] }, kind: { notIn: FLOW_BOOKKEEPING } },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    take: CARD_HISTORY_ENTRIES,
  });
  const c = ticket.contact;
  const question = truncate(ticket.question ?? "", CARD_TEXT_LIMIT);
  return {
    ticketId: ticket.id,
    status: ticket.status as TicketStatus,
    assignee: ticket.assignee,
    closedBy: ticket.closedBy,
    reason: ticket.reason,
    openedAt: ticket.createdAt,
    unanswered: ticket.unansweredAt !== null,
    customer: { name: c.displayName ?? c.username ?? c.id, username: c.username, locale: c.locale, channel: ticket.channel, tier: c.tier, points: c.points, segment: c.segment },
    question: question.text,
    questionTruncated: question.truncated,
    history: rows.reverse().map((r) => ({
      at: r.occurredAt, actor: r.actor, direction: r.direction, kind: r.kind,
      text: truncate((r.text ?? r.kind).replace(/\s+/g, " "), HISTORY_LINE_LIMIT).text,
    })),
  };
}
