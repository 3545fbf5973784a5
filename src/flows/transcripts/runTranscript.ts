import type { Deliver } from "../../core/Channel";
import { parseCommand, type InboundBody, type OutboundMessage } from "../../core/message";
import type { Transcript } from "./parseTranscript";

/** Where a transcript and the bot disagreed. */
export interface TranscriptFailure {
  file: string;
  line: number;
  expected: string;
  actual: string;
}

function show(m: OutboundMessage | undefined): string {
  if (!m) return "(no reply)";
  return m.choices?.length ? `${m.text} [${m.choices.map((c) => c.label).join(" | ")}]` : m.text;
}

function matches(expected: string, actual: string): boolean {
  if (!expected.includes("*")) return expected === actual;
  const pattern = expected.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[\\s\\S]*");
  return new RegExp(`^${pattern}$`).test(actual);
}

/**
 * Plays a transcript through `deliver` (the engine's) as a new customer and compares every reply with the
 * expected `bot:` lines (text and buttons). Returns the first disagreement, or undefined.
 */
export async function runTranscript(deliver: Deliver, t: Transcript, user: string, collect: (user: string) => OutboundMessage[]): Promise<TranscriptFailure | undefined> {
  let lastChoices: { value: string; label: string }[] = [];
  let pending: OutboundMessage[] = [];
  let seq = 0;
  for (const line of t.lines) {
    if (line.who === "user") {
      if (pending.length > 0) return { file: t.file, line: line.line, expected: "(next user line)", actual: `unexpected reply: ${show(pending[0])}` };
      let body: InboundBody;
      if (line.press !== undefined) {
        const choice = lastChoices.find((c) => c.label === line.press);
        if (!choice) return { file: t.file, line: line.line, expected: `a button "${line.press}"`, actual: `buttons: ${lastChoices.map((c) => c.label).join(" | ") || "(none)"}` };
        body = { kind: "choice", value: choice.value, label: choice.label };
      } else {
        body = parseCommand(line.text!) ?? { kind: "text", text: line.text! };
      }
      await deliver({ channel: "transcript", sender: { externalUserId: user, languageHint: t.locale }, externalChatId: user,
        externalMessageId: `${++seq}`, receivedAt: new Date(), body });
      pending = collect(user);
      for (const m of pending) if (m.choices?.length) lastChoices = m.choices;
      continue;
    }
    const actual = pending.shift();
    const want = line.choices ? `${line.text} [${line.choices.join(" | ")}]` : line.text;
    const got = show(actual);
    const ok = actual !== undefined && matches(line.text, actual.text) && (line.choices ? JSON.stringify(line.choices) === JSON.stringify(actual.choices?.map((c) => c.label) ?? []) : !actual.choices?.length || line.text.endsWith("*"));
    if (!ok) return { file: t.file, line: line.line, expected: want, actual: got };
  }
  if (pending.length > 0) return { file: t.file, line: t.lines.at(-1)!.line, expected: "(end of transcript)", actual: `unexpected reply: ${show(pending[0])}` };
  return undefined;
}
