import type { Prisma } from "../db/Database";

/** One audit row as `rapport audit --json` prints it. */
export interface AuditRow {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: { type: string; id: string | null };
  detail: Record<string, unknown> | null;
}

/** Filters of `rapport audit`: rows at or after `since`, by one actor (exact, or a prefix ending in ":"). */
export interface AuditFilter {
  since?: Date;
  actor?: string;
  limit?: number;
}

/**
 * The audit log, oldest first, filtered. `actor: "agent:"` matches every staff member; a full actor
 * (`agent:UANNA`, `operator:alice`, `api:shop`) matches that one.
 */
export async function auditRows(prisma: Prisma, filter: AuditFilter = {}): Promise<AuditRow[]> {
  const actor = filter.actor === undefined ? undefined : filter.actor.endsWith(":") ? { startsWith: filter.actor } : filter.actor;
  const rows = await prisma.auditEntry.findMany({
    where: { ...(filter.since ? { at: { gte: filter.since } } : {}), ...(actor !== undefined ? { actor } : {}) },
    orderBy: [{ at: filter.limit ? "desc" : "asc" }, { id: filter.limit ? "desc" : "asc" }],
    take: filter.limit,
  });
  if (filter.limit) rows.reverse();
  return rows.map((r) => ({
    id: r.id, at: r.at.toISOString(), actor: r.actor, action: r.action,
    target: { type: r.targetType, id: r.targetId }, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
  }));
}
