import type { OutboundMessage } from "../../core/message";
import { botLine, lineMatches, type KeyPattern } from "./matchLine";
import type { Transcript, TranscriptLine } from "./parseTranscript";
import { playTranscript, type TranscriptFailure, type TranscriptPlayer } from "./runTranscript";

type BotLine = Extract<TranscriptLine, { who: "bot" }>;

/** A transcript file's new text and what changed, line by line, for `flows test --update`. */
export interface Recording {
  /** Original line number → the lines written in its place (absent: unchanged). */
  slots: Map<number, string[]>;
  /** A conversation that could not be replayed to its end (a button that is gone): left as it was from there on. */
  failures: TranscriptFailure[];
}

type Op = { op: "keep"; e: BotLine } | { op: "sub"; e: BotLine; a: OutboundMessage } | { op: "del"; e: BotLine } | { op: "ins"; a: OutboundMessage };

/**
 * Aligns the expected `bot:` lines with the replies (fewest changes; a line matches only when
 * `lineMatches` says so), so one new reply inserts one line instead of shifting every line after it.
 */
export function align(expected: BotLine[], actual: OutboundMessage[], keys: KeyPattern): Op[] {
  const n = expected.length;
  const m = actual.length;
  const ok = expected.map((e) => actual.map((a) => lineMatches(e, a, keys)));
  const cost: number[][] = Array.from({ length: n + 1 }, (_, i) => Array.from({ length: m + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      cost[i]![j] = Math.min(cost[i - 1]![j]! + 1, cost[i]![j - 1]! + 1, cost[i - 1]![j - 1]! + (ok[i - 1]![j - 1] ? 0 : 1));
    }
  }
  const ops: Op[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && cost[i]![j] === cost[i - 1]![j - 1]! + (ok[i - 1]![j - 1] ? 0 : 1)) {
      ops.push(ok[i - 1]![j - 1] ? { op: "keep", e: expected[i - 1]! } : { op: "sub", e: expected[i - 1]!, a: actual[j - 1]! });
      i--; j--;
    } else if (i > 0 && cost[i]![j] === cost[i - 1]![j]! + 1) {
      ops.push({ op: "del", e: expected[--i]! });
    } else {
      ops.push({ op: "ins", a: actual[--j]! });
    }
  }
  return ops.reverse();
}

/**
 * Replays a transcript's customer lines and works out its `bot:` lines as the bot answers now.
 * Lines that still match stay exactly as written (with their `*` and `@keys`); only the bot's lines
 * change: `user:` lines, comments, `locale:` and `---` are never touched. A conversation that can no
 * longer be replayed (a button it presses is gone) keeps its lines from there on and is reported.
 */
export async function recordTranscript(p: TranscriptPlayer, t: Transcript, user: string, source: string[]): Promise<Recording> {
  const slots = new Map<number, string[]>();
  const failure = await playTranscript(p, t, user, ({ user: u, expected, actual }) => {
    let anchor = u.line;
    const slot = (line: number) => slots.get(line) ?? slots.set(line, [source[line - 1]!]).get(line)!;
    for (const op of align(expected, actual, p.keys)) {
      if (op.op === "keep") anchor = op.e.line;
      else if (op.op === "sub") { slots.set(op.e.line, [botLine(op.a)]); anchor = op.e.line; }
      else if (op.op === "del") slots.set(op.e.line, []);
      else slot(anchor).push(botLine(op.a));
    }
    return true;
  });
  return { slots, failures: failure ? [failure] : [] };
}

/** The file's text with the recorded slots applied. */
export function applySlots(source: string[], slots: Map<number, string[]>): string[] {
  return source.flatMap((text, i) => slots.get(i + 1) ?? [text]);
}
