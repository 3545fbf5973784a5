import type { Database } from "../db/Database";
import type { ConsentSource } from "./consent";

/** One change of a contact's marketing consent, from its `consent.*` history row. */
export interface ConsentChange {
  at: Date;
  from: string | null;
  to: "granted" | "denied";
  /** chat (the customer: /stop, /subscribe, the consent question), operator or api. */
  source: ConsentSource | "unknown";
}

/**
 * Every change of a contact's marketing consent, newest first, as setConsent recorded it in the
 * history (the contact row keeps only the current answer and its time): what the console shows
 * under "Marketing consent" so staff can say when and how someone said yes or no.
 */
export async function consentHistory(db: Database, contactId: string, take = 20): Promise<ConsentChange[]> {
  const rows = await db.prisma.interaction.findMany({
    where: { contactId, kind: { in: ["consent.granted", "consent.denied"] } },
    orderBy: [{ occurredAt: "desc" }, { id: "desc" }], take, select: { occurredAt: true, kind: true, data: true },
  });
  return rows.map((r) => {
    const data = (r.data ? JSON.parse(r.data) : {}) as { from?: string | null; source?: ConsentSource };
    return { at: r.occurredAt, from: data.from ?? null, to: r.kind === "consent.granted" ? "granted" : "denied", source: data.source ?? "unknown" };
  });
}
