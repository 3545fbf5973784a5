import { newId } from "../core/ids";
import type { Prisma } from "../db/Database";

/** What a domain records (a points change, a survey answer, an agent reply). */
export interface InteractionEntry {
  direction: "in" | "out" | "event" | "internal";
  kind: string;
  actor: string;
  text?: string;
  data?: Record<string, unknown>;
  channel?: string;
  externalId?: string;
  dedupeKey?: string;
  flowId?: string;
  stepId?: string;
  occurredAt?: Date;
}

/** A Prisma client or the `tx` of an interactive transaction: both have the interaction model. */
export type HistoryWriter = Pick<Prisma, "interaction">;

/**
 * The one entry point for domain code to write the contact history. Call it with the `tx` of the
 * transaction that changes the state (points, ticket, survey answer), so the change and its history
 * row commit together or not at all. (The message hot path writes the same rows in batches.)
 */
export async function recordInteraction(tx: HistoryWriter, contactId: string, entry: InteractionEntry): Promise<string> {
  const id = newId();
  await tx.interaction.create({
    data: {
      id,
      contactId,
      occurredAt: entry.occurredAt ?? new Date(),
      direction: entry.direction,
      kind: entry.kind,
      actor: entry.actor,
      text: entry.text ?? null,
      data: entry.data ? JSON.stringify(entry.data) : null,
      channel: entry.channel ?? null,
      externalId: entry.externalId ?? null,
      dedupeKey: entry.dedupeKey ?? null,
      flowId: entry.flowId ?? null,
      stepId: entry.stepId ?? null,
    },
  });
  return id;
}
