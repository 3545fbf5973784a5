import type { MediaFile } from "../core/Channel";
import type { SendResult } from "../core/handoff";
import type { OutboundMessage } from "../core/message";

/** How the desk reaches customers and fetches what they sent: the engine provides both. */
export interface CustomerLine {
  sendTo(contactId: string, message: OutboundMessage): Promise<SendResult>;
  downloadFile(channel: string, fileId: string): Promise<MediaFile>;
  /** Names of the channels this process can send on (the outbox leaves other customers' messages to other processes). */
  channelNames(): string[];
}
