import type { FakeTelegram } from "../../test/helpers/fakeTelegram";

/**
 * What the fake Bot API received, indexed as it arrives: per chat how many messages and when, and
 * every sendMessage time. One ticker reads the fake's `sent` list incrementally, so customers waiting
 * for an answer and the progress check do not each scan 10,000 messages.
 */
export class Inbox {
  /** Per chat, the times (ms) the bot's messages reached the fake, oldest first. */
  readonly byChat = new Map<string, number[]>();
  /** Every message's time, in arrival order. */
  readonly times: number[] = [];
  private read = 0;
  private readonly waiters = new Set<() => void>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly telegram: FakeTelegram) {
    this.timer = setInterval(() => this.tick(), 5);
  }

  /** Messages to `chat` so far. */
  count(chat: string): number {
    return this.byChat.get(chat)?.length ?? 0;
  }

  /** Resolves with the time of the chat's message number `n` (0-based) once it arrived, or undefined after `limitMs`. */
  async waitFor(chat: string, n: number, limitMs: number): Promise<number | undefined> {
    const end = Date.now() + limitMs;
    for (;;) {
      this.tick();
      const at = this.byChat.get(chat)?.[n];
      if (at !== undefined) return at;
      if (Date.now() > end) return undefined;
      await new Promise<void>((resolve) => { const wake = () => { this.waiters.delete(wake); resolve(); }; this.waiters.add(wake); setTimeout(wake, 20); });
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.tick();
  }

  private tick(): void {
    const sent = this.telegram.sent;
    if (this.read === sent.length) return;
    for (; this.read < sent.length; this.read++) {
      const m = sent[this.read]!;
      (this.byChat.get(m.chatId) ?? this.byChat.set(m.chatId, []).get(m.chatId)!).push(m.at);
      this.times.push(m.at);
    }
    for (const wake of [...this.waiters]) wake();
  }
}
