import type { Channel } from "../src/core/Channel";
import type { Address, OutboundMessage } from "../src/core/message";

/**
 * A channel that sends nothing and counts what it was asked to send: the total, and per customer
 * since that customer last asked. Customers take their own count after each message, so the map
 * only holds customers with replies not yet checked, whatever the number of contacts.
 */
export class CountingChannel implements Channel {
  readonly name = "bench";
  /** Replies sent since the channel was created. */
  total = 0;
  private readonly unchecked = new Map<string, number>();

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async send(to: Address, _message: OutboundMessage): Promise<{ externalMessageId?: string }> {
    this.total++;
    this.unchecked.set(to.externalUserId, (this.unchecked.get(to.externalUserId) ?? 0) + 1);
    return {};
  }

  /** Replies sent to `externalUserId` since the last call for that customer. */
  take(externalUserId: string): number {
    const n = this.unchecked.get(externalUserId) ?? 0;
    this.unchecked.delete(externalUserId);
    return n;
  }
}
