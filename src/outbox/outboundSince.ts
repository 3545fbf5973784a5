import type { OutboundMessage } from "../core/message";
import type { Database } from "../db/Database";

/** A stored outbound message as a channel that serves it from the database reads it. */
export interface StoredOutbound {
  /** The outbox row's id: unique, and sorting by creation time across instances (newId). */
  id: string;
  chatId: string;
  message: OutboundMessage;
  createdAt: Date;
}

/**
 * Outbox rows of `channel` with ids after `afterId`, oldest first: pending or sent, not failed, and
 * optionally only for some chats or one contact (whose (contact_id, status) index then does the
 * work; otherwise the primary key's range). For a channel whose "send" is making a message available
 * to a client that collects it (the web chat): the outbox row is the message, so any instance can
 * serve it, also after a restart (rows are kept 7 days after sending).
 */
export async function outboundSince(db: Database, input: { channel: string; afterId: string; chatIds?: readonly string[]; contactId?: string; limit: number }): Promise<StoredOutbound[]> {
  const rows = await db.prisma.outboxMessage.findMany({
    where: {
      id: { gt: input.afterId }, channel: input.channel, status: { in: ["pending", "sent"] },
      ...(input.chatIds ? { chatId: { in: [...input.chatIds] } } : {}), ...(input.contactId ? { contactId: input.contactId } : {}),
    },
    orderBy: { id: "asc" }, take: input.limit, select: { id: true, chatId: true, payload: true, createdAt: true },
  });
  return rows.map((r) => ({ id: r.id, chatId: r.chatId, message: JSON.parse(r.payload) as OutboundMessage, createdAt: r.createdAt }));
}
