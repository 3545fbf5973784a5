/**
 * One row of the contact history as the hot path writes it. Columns mirror the Interaction model in
 * prisma/schema.prisma; `data` is JSON text.
 */
export interface InteractionRow {
  id: string;
  contactId: string;
  occurredAt: Date;
  direction: "in" | "out" | "event" | "internal";
  kind: string;
  channel: string | null;
  externalId: string | null;
  dedupeKey: string | null;
  actor: string;
  flowId: string | null;
  flowVersion: number | null;
  stepId: string | null;
  text: string | null;
  data: string | null;
}

/** Column names in the order `interactionValues` emits them. */
export const INTERACTION_COLUMNS = ["id", "contact_id", "occurred_at", "direction", "kind", "channel", "external_id", "dedupe_key", "actor", "flow_id", "flow_version", "step_id", "text", "data"] as const;

/** The row's values in INTERACTION_COLUMNS order, for multi-row inserts. */
export function interactionValues(r: InteractionRow): unknown[] {
  return [r.id, r.contactId, r.occurredAt, r.direction, r.kind, r.channel, r.externalId, r.dedupeKey, r.actor, r.flowId, r.flowVersion, r.stepId, r.text, r.data];
}

/** Appends each row's values (INTERACTION_COLUMNS order) to `out`: a batch's parameters without an array per row. */
export function pushInteractionValues(out: unknown[], rows: readonly InteractionRow[]): unknown[] {
  for (const r of rows) out.push(r.id, r.contactId, r.occurredAt, r.direction, r.kind, r.channel, r.externalId, r.dedupeKey, r.actor, r.flowId, r.flowVersion, r.stepId, r.text, r.data);
  return out;
}
