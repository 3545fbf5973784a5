import type { Prisma } from "../db/Database";
import { ContactNotFoundError } from "../core/errors";

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
 * `telegram:123456` or `terminal:alice`.
 */
export async function resolveContactId(prisma: Prisma, reference: string): Promise<string> {
  const byId = await prisma.contact.findUnique({ where: { id: reference }, select: { id: true } });
  if (byId) return byId.id;
  const sep = reference.indexOf(":");
  if (sep > 0) {
    const identity = await prisma.channelIdentity.findUnique({
      where: { channel_externalId: { channel: reference.slice(0, sep), externalId: reference.slice(sep + 1) } },
      select: { contactId: true },
    });
    if (identity) return identity.contactId;
  }
  throw new ContactNotFoundError(reference);
}

/** The contact's history, oldest first (ids sort by time within a process; occurred_at across them). */
export async function timeline(prisma: Prisma, contactId: string, limit?: number): Promise<TimelineEntry[]> {
  const rows = await prisma.interaction.findMany({
    where: { contactId },
    orderBy: [{ occurredAt: limit ? "desc" : "asc" }, { id: limit ? "desc" : "asc" }],
    take: limit,
  });
  if (limit) rows.reverse();
  return rows.map((r) => ({
    id: r.id,
    at: r.occurredAt.toISOString(),
    direction: r.direction,
    kind: r.kind,
    actor: r.actor,
    channel: r.channel,
    flow: r.flowId ? `${r.flowId}@${r.flowVersion}` : null,
    step: r.stepId,
    text: r.text,
    data: r.data ? JSON.parse(r.data) : null,
  }));
}
