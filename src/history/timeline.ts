import { ContactNotFoundError } from "../core/errors";
import { dateOf, type SqlReader } from "../db/openReader";
import { sql } from "../db/plan";

/** One line of a contact's timeline, as `rapport contacts history` prints it and `--json` emits it. */
export interface TimelineEntry {
  id: string;
  at: string;
  direction: string;
  kind: string;
  actor: string;
  channel: string | null;
  flow: string | null;
  step: string | null;
  text: string | null;
  data: unknown;
}

/**
 * Finds a contact from what an operator types: a contact id, or `<channel>:<external id>` such as
 * `telegram:123456` or `terminal:alice`. Plain SQL (any Database is a SqlReader): `rapport contacts
 * history` must start fast, without a Prisma client (see db/openReader).
 */
export async function resolveContactId(db: SqlReader, reference: string): Promise<string> {
  const byId = await db.query(sql(`SELECT id FROM contacts WHERE id = ?`, reference));
  if (byId.length > 0) return String(byId[0]!.id);
  const sep = reference.indexOf(":");
  if (sep > 0) {
    const identity = await db.query(sql(`SELECT contact_id FROM channel_identities WHERE channel = ? AND external_id = ?`, reference.slice(0, sep), reference.slice(sep + 1)));
    if (identity.length > 0) return String(identity[0]!.contact_id);
  }
  throw new ContactNotFoundError(reference);
}

/** The contact's history, oldest first (ids sort by time within a process; occurred_at across them). */
export async function timeline(db: SqlReader, contactId: string, limit?: number): Promise<TimelineEntry[]> {
  const order = limit ? "DESC" : "ASC";
  const rows = await db.query(sql(`SELECT id, occurred_at, direction, kind, actor, channel, flow_id, flow_version, step_id, text, data
    FROM interactions WHERE contact_id = ? ORDER BY occurred_at ${order}, id ${order}${limit ? " LIMIT ?" : ""}`, contactId, ...(limit ? [limit] : [])));
  if (limit) rows.reverse();
  return rows.map((r) => ({
    id: String(r.id),
    at: dateOf(r.occurred_at).toISOString(),
    direction: String(r.direction),
    kind: String(r.kind),
    actor: String(r.actor),
    channel: (r.channel as string | null) ?? null,
    flow: r.flow_id ? `${String(r.flow_id)}@${Number(r.flow_version)}` : null,
    step: (r.step_id as string | null) ?? null,
    text: (r.text as string | null) ?? null,
    data: r.data ? JSON.parse(String(r.data)) : null,
  }));
}
