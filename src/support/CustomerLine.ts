import type { MediaFile } from "../core/Channel";
import type { SendResult } from "../core/handoff";
import type { OutboundMessage } from "../core/message";

/** How the desk reaches customers, fetches what they sent, and starts flows: the engine provides all three. */
export interface CustomerLine {
  sendTo(contactId: string, message: OutboundMessage): Promise<SendResult>;
  emit(contactId: string, name: string, data?: Record<string, unknown>): Promise<unknown>;
  downloadFile(channel: string, fileId: string): Promise<MediaFile>;
  /** Names of the channels this process can send on (the outbox leaves other customers' messages to other processes). */
  channelNames(): string[];
}
