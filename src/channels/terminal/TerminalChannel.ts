import type { Writable } from "node:stream";
import type { Channel, Deliver } from "../../core/Channel";
import type { Address, OutboundMessage } from "../../core/message";
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

  /** Delivers one typed line as the customer's message; resolves after the bot's replies are printed. */
  async type(line: string): Promise<void> {
    if (!this.deliver) throw new Error("terminal channel is not started");
    const body = terminalBody(line, this.shown);
    await this.deliver({
      channel: this.name,
      sender: { externalUserId: this.user, displayName: this.user, languageHint: this.locale },
      externalChatId: this.user,
      externalMessageId: `in-${Date.now()}-${++this.seq}`,
      receivedAt: new Date(),
      body,
    });
  }
}
