import { describe, expect, it } from "vitest";
import type { OutboundMessage } from "../../../src/core/message";
import { parseTranscripts } from "../../../src/flows/transcripts/parseTranscript";
import { align, applySlots, recordTranscript } from "../../../src/flows/transcripts/recordTranscript";
import { textPattern } from "../../../src/flows/transcripts/matchLine";
import type { TranscriptPlayer } from "../../../src/flows/transcripts/runTranscript";

const keys = (key: string) => textPattern(key === "w:hi" ? ["Hi {{vars.name}}"] : []);
const bot = (line: number, text: string) => ({ who: "bot" as const, line, text });
const msg = (text: string): OutboundMessage => ({ text });

describe("align", () => {
  it("keeps matching lines and inserts a new reply instead of shifting the ones after it", () => {
    const ops = align([bot(2, "A*"), bot(3, "B"), bot(4, "C")], [msg("A1"), msg("X"), msg("B"), msg("C")], keys);
    expect(ops.map((o) => o.op)).toEqual(["keep", "ins", "keep", "keep"]);
  });

  it("replaces a changed line in place and drops a reply that is gone", () => {
    expect(align([bot(2, "Old greeting"), bot(3, "Menu")], [msg("New greeting"), msg("Menu")], keys).map((o) => o.op)).toEqual(["sub", "keep"]);
    expect(align([bot(2, "A"), bot(3, "B")], [msg("B")], keys).map((o) => o.op)).toEqual(["del", "keep"]);
  });
});

describe("recordTranscript", () => {
  /** A bot that answers each message with fixed replies, whatever the flows are. */
  function player(replies: Record<string, OutboundMessage[]>): TranscriptPlayer {
    let last: OutboundMessage[] = [];
    return {
      keys,
      deliver: async (event) => { last = replies[event.body.kind === "text" ? event.body.text : event.body.kind === "command" ? `/${event.body.command}` : (event.body as { value: string }).value] ?? []; },
      collect: () => last.splice(0),
    };
  }

  it("re-records only the bot's lines and never touches user lines, comments, keys that match or wildcards", async () => {
    const text = [
      "# greeting and menu",     // 1
      "user: /start",            // 2
      "bot: Hello!",             // 3  copy changed
      "# the menu",              // 4
      "bot: @w:hi",              // 5  key still matches
      "user: [Yes]",             // 6
      "bot: Done*",              // 7  wildcard still matches
      "---",                     // 8
      "user: hi",                // 9
      "",                        // 10
    ].join("\n");
    const source = text.split("\n");
    const p = player({
      "/start": [msg("Hello there!"), msg("Hi Ann", ), { text: "Pick one", choices: [{ value: "y", label: "Yes" }] }],
      y: [msg("Done, thanks")],
      hi: [msg("Hey")],
    });
    const slots = new Map<number, string[]>();
    let n = 0;
    for (const t of parseTranscripts("x.transcript", text)) {
      const r = await recordTranscript(p, t, `u${++n}`, source);
      expect(r.failures).toEqual([]);
      for (const [k, v] of r.slots) slots.set(k, v);
    }
    expect(applySlots(source, slots)).toEqual([
      "# greeting and menu",
      "user: /start",
      "bot: Hello there!",
      "# the menu",
      "bot: @w:hi",
      "bot: Pick one [Yes]",
      "user: [Yes]",
      "bot: Done*",
      "---",
      "user: hi",
      "bot: Hey",
      "",
    ]);
  });

  it("stops a conversation whose button is gone and reports it, leaving the rest as written", async () => {
    const text = "user: /start\nbot: Pick [Old]\nuser: [Old]\nbot: ok\n";
    const source = text.split("\n");
    const [t] = parseTranscripts("x.transcript", text);
    const r = await recordTranscript(player({ "/start": [{ text: "Pick", choices: [{ value: "n", label: "New" }] }] }), t!, "u", source);
    expect(r.failures).toEqual([{ file: "x.transcript", line: 3, expected: 'a button "Old"', actual: "buttons: New" }]);
    expect(applySlots(source, r.slots)).toEqual(["user: /start", "bot: Pick [New]", "user: [Old]", "bot: ok", ""]);
  });
});
