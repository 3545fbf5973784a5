import type { Deliver } from "../../core/Channel";
import { parseCommand, type InboundBody, type OutboundMessage } from "../../core/message";
import { keyRef, lineMatches, show, textMatches, type KeyPattern } from "./matchLine";
import type { Transcript, TranscriptLine } from "./parseTranscript";

/** Where a transcript and the bot disagreed. */
export interface TranscriptFailure {
  file: string;
  line: number;
  expected: string;
  actual: string;
}

/** What the customer's lines need from the world: the engine, their inbox, and translated keys. */
export interface TranscriptPlayer {
  deliver: Deliver;
  collect: (user: string) => OutboundMessage[];
  keys: KeyPattern;
}

type UserLine = Extract<TranscriptLine, { who: "user" }>;
type BotLine = Extract<TranscriptLine, { who: "bot" }>;

/** One customer line and the `bot:` lines written after it, with the replies the bot gave. */
export interface Exchange {
  user: UserLine;
  expected: BotLine[];
  actual: OutboundMessage[];
}

/**
 * Plays the customer's lines of a transcript as a new customer and hands each exchange (the
 * expected `bot:` lines and the replies actually sent) to `onExchange`, which returns false to stop.
 * Returns a failure when a button to press is not on the last message's keyboard.
 */
export async function playTranscript(p: TranscriptPlayer, t: Transcript, user: string, onExchange: (e: Exchange) => boolean): Promise<TranscriptFailure | undefined> {
  let lastChoices: { value: string; label: string }[] = [];
  let seq = 0;
  const lines = t.lines;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.who !== "user") continue;
    let body: InboundBody;
    if (line.press !== undefined) {
      const choice = lastChoices.find((c) => textMatches(line.press!, c.label, p.keys));
      if (!choice) return { file: t.file, line: line.line, expected: `a button "${line.press}"`, actual: `buttons: ${lastChoices.map((c) => c.label).join(" | ") || "(none)"}` };
      body = { kind: "choice", value: choice.value, label: choice.label };
    } else {
      body = parseCommand(line.text!) ?? { kind: "text", text: line.text! };
    }
    await p.deliver({ channel: "transcript", sender: { externalUserId: user, languageHint: t.locale }, externalChatId: user,
      externalMessageId: `${++seq}`, receivedAt: new Date(), body });
    const actual = p.collect(user);
    for (const m of actual) if (m.choices?.length) lastChoices = m.choices;
    const expected: BotLine[] = [];
    for (let j = i + 1; j < lines.length && lines[j]!.who === "bot"; j++) expected.push(lines[j] as BotLine);
    if (!onExchange({ user: line, expected, actual })) return undefined;
  }
  return undefined;
}

/**
 * Plays a transcript and compares every reply with the expected `bot:` lines (text and buttons,
 * literal, with `*`, or as `@namespace:key`). Returns the first disagreement, or undefined.
 */
export async function runTranscript(p: TranscriptPlayer, t: Transcript, user: string): Promise<TranscriptFailure | undefined> {
  let failure: TranscriptFailure | undefined;
  const pressFailure = await playTranscript(p, t, user, ({ expected, actual, user: u }) => {
    for (const [n, line] of expected.entries()) {
      if (!lineMatches(line, actual[n], p.keys)) {
        failure = { file: t.file, line: line.line, expected: line.choices ? `${line.text} [${line.choices.join(" | ")}]` : line.text, actual: show(actual[n]) };
        return false;
      }
    }
    if (actual.length > expected.length) {
      failure = { file: t.file, line: expected.at(-1)?.line ?? u.line, expected: "(next user line)", actual: `unexpected reply: ${show(actual[expected.length])}` };
      return false;
    }
    return true;
  });
  return pressFailure ?? failure;
}

export { keyRef };
