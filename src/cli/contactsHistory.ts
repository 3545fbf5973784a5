import { dateOf, type SqlReader } from "../db/openReader";
import { sql, type Row } from "../db/plan";
import { resolveContactId, timeline } from "../history/timeline";
import { parseAttributes } from "../flows/attributes";
import { describeRating, orderRatings } from "../feedback/orderRatings";

/**
 * `rapport contacts history <contact> [--json] [--limit N]`: the contact's timeline, oldest first,
 * with each order's rating (issue 19) printed under the order's `purchase` line (`--json`: `ratings`).
 * Prints message text: this is an operator's tool reading their own customer's history. Plain SQL
 * through a reader, so it starts without a Prisma client (see db/openReader).
 */
export async function runContactsHistory(db: SqlReader, reference: string, json: boolean, limit: number | undefined, out: NodeJS.WritableStream): Promise<void> {
  const contactId = await resolveContactId(db, reference);
  const contact = await readContact(db, contactId);
  const [entries, ratings] = await Promise.all([timeline(db, contactId, limit), orderRatings(db, contactId)]);
  if (json) {
    out.write(JSON.stringify({ contact: { id: contact.id, displayName: contact.displayName, locale: contact.locale, points: contact.points, tier: contact.tier,
      identities: contact.identities.map((i) => `${i.channel}:${i.externalId}`), ...rfmOf(contact), attributes: parseAttributes(contact.attributes) }, entries, ratings }) + "\n");
    return;
  }
  out.write(`contact ${contact.id} (${contact.identities.map((i) => `${i.channel}:${i.externalId}`).join(", ")}) locale ${contact.locale}, ${contact.points} points, ${contact.tier}${segmentLabel(contact)}\n`);
  const attributes = Object.entries(parseAttributes(contact.attributes));
  if (attributes.length > 0) out.write(`attributes: ${attributes.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")}\n`);
  const arrow: Record<string, string> = { in: "<-", out: "->", event: "**", internal: "##" };
  for (const e of entries) {
    const where = e.flow ? ` [${e.flow}${e.step ? ` ${e.step}` : ""}]` : "";
    const text = e.text ? ` ${e.text.replace(/\n/g, " ⏎ ")}` : "";
    const data = e.direction === "event" && e.data ? ` ${JSON.stringify(e.data)}` : "";
    out.write(`${e.at} ${arrow[e.direction] ?? "  "} ${e.kind.padEnd(14)} ${e.actor.padEnd(8)}${where}${text}${data}\n`);
    const order = e.kind === "purchase" ? (e.data as { orderId?: unknown } | null)?.orderId : undefined;
    for (const r of order === undefined ? [] : ratings.filter((x) => x.orderId === order)) out.write(`${" ".repeat(e.at.length + 4)}↳ ${describeRating(r)}\n`);
  }
  out.write(`${entries.length} entr${entries.length === 1 ? "y" : "ies"}\n`);
}

interface SegmentColumns { segment: string | null; rfmRecency: number | null; rfmFrequency: number | null; rfmMonetary: number | null; segmentAt: Date | null }

/** The RFM segment for `--json`: null fields when the contact has none (never bought, or refunded). */
function rfmOf(c: SegmentColumns) {
  const rfm = c.rfmRecency !== null && c.rfmFrequency !== null && c.rfmMonetary !== null
    ? { recency: c.rfmRecency, frequency: c.rfmFrequency, monetary: c.rfmMonetary } : null;
  return { segment: c.segment, rfm, segmentAt: c.segmentAt?.toISOString() ?? null };
}

/** ", segment champions (R5 F4 M5)" for the header line; empty when the contact has no segment. */
function segmentLabel(c: SegmentColumns): string {
  if (!c.segment) return "";
  const scores = c.rfmRecency !== null ? ` (R${c.rfmRecency} F${c.rfmFrequency} M${c.rfmMonetary})` : "";
  return `, segment ${c.segment}${scores}`;
}

/**
 * The contact row with its identities, fields named as in the Prisma model (every column, so a column
 * a later migration adds is there too).
 */
async function readContact(db: SqlReader, id: string) {
  const [row] = await db.query(sql(`SELECT * FROM contacts WHERE id = ?`, id));
  const identities = await db.query(sql(`SELECT channel, external_id FROM channel_identities WHERE contact_id = ? ORDER BY created_at, channel`, id));
  const c = camelCase(row!);
  return {
    ...c,
    id: String(c.id), displayName: c.displayName as string | null, locale: String(c.locale), points: Number(c.points), tier: String(c.tier),
    segment: c.segment as string | null, rfmRecency: c.rfmRecency as number | null, rfmFrequency: c.rfmFrequency as number | null,
    rfmMonetary: c.rfmMonetary as number | null, segmentAt: c.segmentAt === null || c.segmentAt === undefined ? null : dateOf(c.segmentAt),
    attributes: c.attributes,
    identities: identities.map((i) => ({ channel: String(i.channel), externalId: String(i.external_id) })),
  };
}

/** `{ display_name: … }` → `{ displayName: … }`. */
function camelCase(row: Row): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase()), v]));
}
