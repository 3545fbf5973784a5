import type { Prisma } from "../db/Database";
import { resolveContactId, timeline } from "../history/timeline";

/**
 * `rapport contacts history <contact> [--json] [--limit N]`: the contact's timeline, oldest first.
 * Prints message text: this is an operator's tool reading their own customer's history.
 */
export async function runContactsHistory(prisma: Prisma, reference: string, json: boolean, limit: number | undefined, out: NodeJS.WritableStream): Promise<void> {
  const contactId = await resolveContactId(prisma, reference);
  const contact = await prisma.contact.findUniqueOrThrow({ where: { id: contactId }, include: { identities: true } });
  const entries = await timeline(prisma, contactId, limit);
  if (json) {
    out.write(JSON.stringify({ contact: { id: contact.id, displayName: contact.displayName, locale: contact.locale, points: contact.points, tier: contact.tier,
      identities: contact.identities.map((i) => `${i.channel}:${i.externalId}`), ...rfmOf(contact) }, entries }) + "\n");
    return;
  }
  out.write(`contact ${contact.id} (${contact.identities.map((i) => `${i.channel}:${i.externalId}`).join(", ")}) locale ${contact.locale}, ${contact.points} points, ${contact.tier}${segmentLabel(contact)}\n`);
  const arrow: Record<string, string> = { in: "<-", out: "->", event: "**", internal: "##" };
  for (const e of entries) {
    const where = e.flow ? ` [${e.flow}${e.step ? ` ${e.step}` : ""}]` : "";
    const text = e.text ? ` ${e.text.replace(/\n/g, " ⏎ ")}` : "";
    const data = e.direction === "event" && e.data ? ` ${JSON.stringify(e.data)}` : "";
    out.write(`${e.at} ${arrow[e.direction] ?? "  "} ${e.kind.padEnd(14)} ${e.actor.padEnd(8)}${where}${text}${data}\n`);
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
