import type { Deliver } from "../../core/Channel";
import { parseCommand, type InboundBody, type OutboundMessage } from "../../core/message";
import { keyRef, lineMatches, show, textMatches, type KeyPattern } from "./matchLine";
import type { InputLine, Transcript, TranscriptLine } from "./parseTranscript";

/** Where a transcript and the bot disagreed. */
export interface TranscriptFailure {
  file: string;
  line: number;
  expected: string;
  actual: string;
}

/**
 * What the customer's lines need from the world: the engine, their inbox, and translated keys; for
 * `purchase:` and `after:` lines, the shop's side and a clock.
 */
export interface TranscriptPlayer {
  deliver: Deliver;
  collect: (user: string) => OutboundMessage[];
  keys: KeyPattern;
  /** Records a purchase for `user` from an API body without `customer`, and runs the work it raised; throws when the body is refused. */
  purchase?: (user: string, body: Record<string, unknown>) => Promise<void>;
  /** Moves the clock on by `ms` and runs the scheduled work due by then. */
  after?: (ms: number) => Promise<void>;
}

type BotLine = Extract<TranscriptLine, { who: "bot" }>;

/** One input line (customer, shop or clock) and the `bot:` lines written after it, with the replies the bot gave. */
export interface Exchange {
  user: InputLine;
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
    if (line.who === "bot") continue;
    if (line.who !== "user") {
      const problem = await playWorld(p, line, user);
      if (problem) return { file: t.file, line: line.line, expected: line.who === "purchase" ? "a purchase the API accepts" : "time to pass", actual: problem };
      const actual = p.collect(user);
      for (const m of actual) if (m.choices?.length) lastChoices = m.choices;
      if (!onExchange({ user: line, expected: botLinesAfter(lines, i), actual })) return undefined;
      continue;
    }
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
    if (!onExchange({ user: line, expected: botLinesAfter(lines, i), actual })) return undefined;
  }
  return undefined;
}

function botLinesAfter(lines: TranscriptLine[], i: number): BotLine[] {
  const expected: BotLine[] = [];
  for (let j = i + 1; j < lines.length && lines[j]!.who === "bot"; j++) expected.push(lines[j] as BotLine);
  return expected;
}

/** Plays a `purchase:` or `after:` line; returns what went wrong, if anything. */
async function playWorld(p: TranscriptPlayer, line: Exclude<InputLine, { who: "user" }>, user: string): Promise<string | undefined> {
  const run = line.who === "purchase" ? p.purchase && (() => p.purchase!(user, line.body)) : p.after && (() => p.after!(line.ms));
  if (!run) return `${line.who}: lines are not supported here`;
  try {
    await run();
    return undefined;
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
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
