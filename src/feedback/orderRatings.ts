import { dateOf, maybeDate, type SqlReader } from "../db/openReader";
import { sql } from "../db/plan";

/** A contact's rating request for one order and what came of it, for `rapport contacts history`. */
export interface OrderRating {
  orderId: string;
  /** The item asked about; null when the order came without items (rated as a whole). */
  sku: string | null;
  item: string | null;
  /** 1-5, null while unanswered. */
  score: number | null;
  comment: string | null;
  requestedAt: string;
  answeredAt: string | null;
  /** The support ticket carrying the order (a low rating handed to a person), if one was opened. */
  ticket: { id: string; status: string } | null;
}

/**
 * The contact's order ratings, oldest request first: two indexed queries (reviews by contact,
 * tickets by contact), plain SQL on any SqlReader, so the read-only history command stays fast.
 */
export async function orderRatings(db: SqlReader, contactId: string): Promise<OrderRating[]> {
  const [reviews, tickets] = await Promise.all([
    db.query(sql(`SELECT p.order_id, r.sku, r.item_name, r.score, r.comment, r.requested_at, r.answered_at
      FROM product_reviews r JOIN purchases p ON p.id = r.purchase_id WHERE r.contact_id = ? ORDER BY r.requested_at, r.id`, contactId)),
    db.query(sql(`SELECT id, status, order_id, created_at FROM tickets WHERE contact_id = ? AND order_id IS NOT NULL ORDER BY created_at DESC, id DESC`, contactId)),
  ]);
  return reviews.map((r) => {
    const ticket = tickets.find((t) => t.order_id === r.order_id && dateOf(t.created_at) >= dateOf(r.requested_at));
    return {
      orderId: String(r.order_id), sku: (r.sku as string | null) ?? null, item: (r.item_name as string | null) ?? null,
      score: r.score === null || r.score === undefined ? null : Number(r.score), comment: (r.comment as string | null) ?? null,
      requestedAt: dateOf(r.requested_at).toISOString(), answeredAt: maybeDate(r.answered_at)?.toISOString() ?? null,
      ticket: ticket ? { id: String(ticket.id), status: String(ticket.status) } : null,
    };
  });
}

/** One line for a person: `rated 2/5: Blue mug (MUG-1) "too small"; ticket 01J… (open)`. */
export function describeRating(r: OrderRating): string {
  const what = r.item ? `${r.item}${r.sku ? ` (${r.sku})` : ""}` : "the order";
  const head = r.score === null ? `asked to rate ${what} on ${r.requestedAt.slice(0, 10)}, no answer` : `rated ${r.score}/5: ${what}`;
  const comment = r.comment ? ` ${JSON.stringify(r.comment.replace(/\s+/g, " "))}` : "";
  const ticket = r.ticket ? `; ticket ${r.ticket.id} (${r.ticket.status.replace("_", " ")})` : "";
  return `${head}${comment}${ticket}`;
}
