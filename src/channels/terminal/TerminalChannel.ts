import type { Writable } from "node:stream";
import type { Channel, Deliver } from "../../core/Channel";
import { DatabaseUnavailableError, RapportError } from "../../core/errors";
import type { Address, InboundEvent, OutboundMessage } from "../../core/message";
import { renderForTerminal } from "./render";
import { terminalBody, type ShownButtons } from "./toInbound";

/**
 * A customer's chat in a terminal, for trying flows without any chat app. One terminal is one
 * customer (`terminal:<user>`); the reader (readline or piped stdin) calls `type(line)`.
 */
export class TerminalChannel implements Channel {
  readonly name = "terminal";
  private deliver: Deliver | undefined;
  private shown: ShownButtons | undefined;
  private seq = 0;
  /** Typed, not stored yet (the database was away), oldest first: delivered again before anything newer. */
  private readonly kept: InboundEvent[] = [];

  constructor(private readonly user: string, private readonly out: Writable, private readonly locale?: string) {}

  async start(deliver: Deliver): Promise<void> {
    this.deliver = deliver;
  }

  async stop(): Promise<void> {
    this.deliver = undefined;
  }

  async send(_to: Address, message: OutboundMessage): Promise<{ externalMessageId?: string }> {
    // A number typed picks a button only of the newest message: one without buttons clears them.
    this.shown = message.choices?.length ? { choices: message.choices, values: message.choicesAreValues } : undefined;
    this.out.write(`${renderForTerminal(message)}\n`);
    return { externalMessageId: `out-${++this.seq}` };
  }

  /** Messages typed but not stored yet (the database is away); `retryKept` or the next line delivers them. */
  get keptCount(): number {
    return this.kept.length;
  }

  /**
   * Delivers one typed line as the customer's message; resolves after the bot's replies are printed.
   * When it cannot be stored (the database away past DB_RETRY_SECONDS) it is kept, not dropped, and
   * MessagesKeptError says so; kept lines go first, in order, with the next line or `retryKept()`.
   */
  async type(line: string): Promise<void> {
    if (!this.deliver) throw new Error("terminal channel is not started");
    const body = terminalBody(line, this.shown);
    const externalMessageId = `in-${Date.now()}-${++this.seq}`;
    this.kept.push({
      channel: this.name,
      sender: { externalUserId: this.user, displayName: this.user, languageHint: this.locale },
      externalChatId: this.user,
      externalMessageId,
      dedupeKey: `terminal:${this.user}:${externalMessageId}`, // a retry of a store whose answer was lost is recognised
      receivedAt: new Date(),
      body,
    });
    await this.retryKept();
  }

  /** Delivers the kept messages, oldest first; throws MessagesKeptError while the database is still away. */
  async retryKept(): Promise<void> {
    if (!this.deliver) throw new Error("terminal channel is not started");
    while (this.kept.length > 0) {
      let stored = false;
      try {
        await this.deliver(this.kept[0]!, { stored: () => { stored = true; } });
      } catch (error) {
        if (!stored && error instanceof DatabaseUnavailableError) throw new MessagesKeptError(this.kept.length, error);
        this.kept.shift(); // stored (only its answer failed), or failed for good: sending it again would not help
        throw error;
      }
      this.kept.shift();
    }
  }
}

/** Typed messages could not be stored; they are kept and sent again (the terminal chat tells the person). */
export class MessagesKeptError extends RapportError {
  readonly code = "rapport_messages_kept";
  constructor(readonly count: number, cause: unknown) {
    super(`not stored yet: the database is unavailable. ${count === 1 ? "Your message is" : `${count} messages are`} kept and sent again with your next message, or press Enter to try now.`, { cause });
  }
}
