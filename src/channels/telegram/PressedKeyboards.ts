/**
 * Remembers which keyboards were pressed, so a double tap (two callback queries for one question
 * before Telegram removed the keyboard) is answered once: otherwise the second tap could answer the
 * next question, which often offers the same values. Bounded: old entries are forgotten first;
 * by then the keyboard is long gone. Per process; with several instances behind one webhook, the
 * keyboard removal is what stops late presses.
 */
export class PressedKeyboards {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** Records a press; false when this keyboard was already pressed. */
  add(chatId: number, messageId: number): boolean {
    const key = `${chatId}:${messageId}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value!);
    return true;
  }

  /** Forgets a press whose handling failed, so Telegram's redelivery of it is handled. */
  delete(chatId: number, messageId: number): void {
    this.seen.delete(`${chatId}:${messageId}`);
  }
}
