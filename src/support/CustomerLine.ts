import type { MediaFile } from "../core/Channel";
import type { OutboxDispatcher } from "../outbox/OutboxDispatcher";

/**
 * How the desk reaches customers and fetches what they sent: the engine provides both. Messages to
 * customers go through the one outbox (issue 13): the desk stores them with `enqueueMessage` and
 * hears back through receipts (its ✅/❌ on staff replies).
 */
export interface CustomerLine {
  downloadFile(channel: string, fileId: string): Promise<MediaFile>;
  /** Names of the channels this process can send on (the outbox leaves other customers' messages to other processes). */
  channelNames(): string[];
  readonly outbox: Pick<OutboxDispatcher, "drain" | "onReceipt" | "kick">;
}
