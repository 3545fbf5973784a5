import { newId } from "../core/ids";
import { RapportError } from "../core/errors";
import type { Address, OutboundMessage } from "../core/message";
import type { Prisma } from "../db/Database";
import { PRIORITY, type OutboxPriority } from "./OutboxEntry";

/** What `enqueueMessage` writes with: a Prisma client or the `tx` of the caller's transaction. */
export type OutboxWriter = Pick<Prisma, "outboxMessage" | "channelIdentity">;

/** A message for the outbox. */
export interface EnqueueInput {
  contactId: string;
  /** Where to send; default: the contact's newest channel identity. */
  to?: Address;
  message: OutboundMessage;
  /** conversation < notification < campaign: a campaign never delays a conversation reply. */
  priority: OutboxPriority;
  /** The message's row in the contact history (record it with recordInteraction in the same `tx`). */
  interactionId?: string;
  /** Idempotency key (e.g. `campaign:<id>:<contact>`): a second enqueue with it stores nothing. */
  key?: string;
  /** For receipts: what the message is part of (`ticket:<ticket message id>`). */
  source?: string;
}

/** The contact has no channel identity, so there is nowhere to send to. */
export class NoAddressError extends RapportError {
  readonly code = "rapport_no_address";
  constructor(readonly contactId: string) {
    super(`contact ${contactId} has no channel to reach them on; nothing was queued`);
  }
}

/**
 * Queues a message to a customer inside the caller's transaction (issue 13, "one way out"): it
 * commits with the state that caused it (a points change, a ticket reply, a campaign's send row) or
 * not at all, and the dispatcher of the process that runs the channel sends it, in order after the
 * contact's earlier messages, retrying transient failures. Call `outbox.kick()` after the commit when
 * this process runs the dispatcher (the running bot), or let the poller find it within seconds (a
 * CLI command, another instance). With `key`, a repeat (a retried request, a campaign re-run) stores
 * nothing and returns `duplicate: true`; two concurrent first calls with one key race to a unique
 * violation, which the caller's transaction retry resolves. Never call a channel directly instead.
 */
export async function enqueueMessage(tx: OutboxWriter, input: EnqueueInput): Promise<{ id: string; duplicate: boolean }> {
  if (input.key) {
    const prior = await tx.outboxMessage.findUnique({ where: { idempotencyKey: input.key }, select: { id: true } });
    if (prior) return { id: prior.id, duplicate: true };
  }
  let to = input.to;
  if (!to) {
    const identity = await tx.channelIdentity.findFirst({ where: { contactId: input.contactId }, orderBy: { createdAt: "desc" } });
    if (!identity) throw new NoAddressError(input.contactId);
    to = { channel: identity.channel, externalChatId: identity.externalId, externalUserId: identity.externalId };
  }
  const id = newId();
  const now = new Date();
  await tx.outboxMessage.create({ data: {
    id, contactId: input.contactId, channel: to.channel, chatId: to.externalChatId, userId: to.externalUserId,
    payload: JSON.stringify(input.message), interactionId: input.interactionId ?? null, priority: PRIORITY[input.priority],
    status: "pending", nextAttemptAt: now, idempotencyKey: input.key ?? null, source: input.source ?? null, createdAt: now,
  } });
  return { id, duplicate: false };
}
