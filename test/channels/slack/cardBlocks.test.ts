/**
 * Ticket cards as Block Kit (src/channels/slack/cardBlocks.ts) and the text cut they rely on
 * (truncate in src/support/TicketCard.ts). Pure functions: no Slack, no database. The rule that
 * matters most: nothing a customer wrote may turn into a Slack mention or link.
 */
import { describe, expect, it } from "vitest";
import { CARD_ACTIONS, cardMessage, statusLine, threadMessage } from "../../../src/channels/slack/cardBlocks";
import { truncate, type TicketCard } from "../../../src/support/TicketCard";
import type { TicketStatus } from "../../../src/support/Ticket";

/** The parts of a block these tests read. */
interface Block {
  type: string;
  text?: { type: string; text: string };
  fields?: { type: string; text: string }[];
  elements?: { type: string; text?: unknown; action_id?: string; value?: string; elements?: { type: string; text: string; style?: object }[] }[];
}

const OPENED = new Date("2024-03-05T10:20:30.000Z");

/** A plausible open ticket; `over` replaces top-level fields, `customer` merges into the customer. */
function card(over: Partial<Omit<TicketCard, "customer">> = {}, customer: Partial<TicketCard["customer"]> = {}): TicketCard {
  return {
    ticketId: "tkt_1",
    status: "open",
    assignee: null,
    closedBy: null,
    reason: "asked",
    openedAt: OPENED,
    unanswered: false,
    customer: { name: "Olga Petrova", username: "olga_p", locale: "en", channel: "telegram", tier: "silver", points: 120, segment: null, ...customer },
    question: "My parcel never arrived",
    questionTruncated: false,
    history: [],
    ...over,
  };
}

function blocksOf(c: TicketCard): Block[] {
  return cardMessage(c).blocks as Block[];
}

function headerText(c: TicketCard): string {
  const h = blocksOf(c).find((b) => b.type === "header");
  if (!h?.text) throw new Error("no header block");
  return h.text.text;
}

function fieldTexts(c: TicketCard): string[] {
  const s = blocksOf(c).find((b) => b.type === "section" && b.fields);
  if (!s?.fields) throw new Error("no fields section");
  return s.fields.map((f) => f.text);
}

/** The label section whose mrkdwn starts with `*title*`, and the literal text of the rich text block after it. */
function section(c: TicketCard, title: string): { label: string; kind: string; text: string } | undefined {
  const blocks = blocksOf(c);
  const i = blocks.findIndex((b) => b.type === "section" && b.text?.text.startsWith(`*${title}*`));
  if (i < 0) return undefined;
  const rich = blocks[i + 1]!;
  expect(rich.type).toBe("rich_text");
  const part = rich.elements![0]!;
  return { label: blocks[i]!.text!.text, kind: part.type, text: part.elements!.map((e) => e.text).join("") };
}

function question(c: TicketCard): { label: string; kind: string; text: string } {
  const q = section(c, "Question");
  if (q === undefined) throw new Error("no question section");
  return q;
}

/** Every mrkdwn text in a message's blocks (section texts, fields, context elements). */
function mrkdwnTexts(blocks: Block[]): string[] {
  const texts: string[] = [];
  for (const b of blocks) {
    if (b.text?.type === "mrkdwn") texts.push(b.text.text);
    for (const f of b.fields ?? []) if (f.type === "mrkdwn") texts.push(f.text);
    if (b.type === "context") for (const e of b.elements ?? []) if (e.type === "mrkdwn") texts.push(String(e.text));
  }
  return texts;
}

function buttons(c: TicketCard): string[] | undefined {
  return blocksOf(c).find((b) => b.type === "actions")?.elements?.map((e) => e.action_id ?? "?");
}

const HOSTILE = "Hi <!channel> see <https://evil.example|x> & <@U0ADMIN> now";
const HOSTILE_ESCAPED = "Hi &lt;!channel&gt; see &lt;https://evil.example|x&gt; &amp; &lt;@U0ADMIN&gt; now";
/** Formatting a customer could use to fake emphasis, code, a quote or another speaker's line. */
const FORMATTING = "*URGENT* _refund_ ~now~ `code`\n> quoted\n*Anna (support):* send me your card number";

describe("cardMessage: who the customer is", () => {
  it("puts the name and @username in the header and the Customer field", () => {
    expect(headerText(card())).toBe("Support: Olga Petrova (@olga_p)");
    expect(fieldTexts(card())[0]).toBe("Customer: Olga Petrova (@olga_p)");
  });

  it("leaves out the @username when the customer has none", () => {
    expect(headerText(card({}, { username: null }))).toBe("Support: Olga Petrova");
    expect(fieldTexts(card({}, { username: null }))[0]).toBe("Customer: Olga Petrova");
  });

  it("shows locale · channel, and 'unknown' for a missing channel", () => {
    expect(fieldTexts(card({}, { locale: "de", channel: "telegram" }))[1]).toBe("*Language · channel*\nde · telegram");
    expect(fieldTexts(card({}, { channel: null }))[1]).toBe("*Language · channel*\nen · unknown");
  });

  it("shows tier · points, and the segment only when set", () => {
    expect(fieldTexts(card({}, { tier: "gold", points: 4200 }))[2]).toBe("*Tier · points*\ngold · 4200");
    expect(fieldTexts(card({}, { tier: "gold", points: 4200, segment: "vip" }))[2]).toBe("*Tier · points*\ngold · 4200 · vip");
  });

  it("shows when the ticket was opened as a Slack date with an ISO fallback", () => {
    expect(fieldTexts(card())[3]).toBe(`*Opened*\n<!date^${OPENED.getTime() / 1000}^{date_short_pretty} {time}|2024-03-05T10:20:30.000Z>`);
  });

  it("cuts a very long name so the header stays within Slack's 150 characters", () => {
    const text = headerText(card({}, { name: "N".repeat(400), username: null }));
    expect(text.length).toBe(150);
    expect(text.startsWith("Support: NNN")).toBe(true);
    expect(text.endsWith("N…")).toBe(true);
  });

  it("does not cut a header of exactly 150 characters", () => {
    const name = "N".repeat(150 - "Support: ".length);
    expect(headerText(card({}, { name, username: null }))).toBe(`Support: ${name}`);
  });

  it("names the customer and the state in the notification fallback", () => {
    expect(cardMessage(card()).text).toBe("Support ticket from Olga Petrova (@olga_p): ⏳ Waiting for a person");
  });
});

describe("cardMessage: nothing the customer wrote formats, mentions or links", () => {
  it("shows the question verbatim in a rich text quote, hostile markup included", () => {
    expect(question(card({ question: HOSTILE }))).toEqual({ label: "*Question*", kind: "rich_text_quote", text: HOSTILE });
    expect(question(card({ question: FORMATTING })).text).toBe(FORMATTING);
  });

  it("puts the customer's name and username in plain_text, never mrkdwn", () => {
    const fields = blocksOf(card({}, { name: "*Boss* <!here>", username: "x_y_z" })).find((b) => b.fields)!.fields!;
    expect(fields[0]).toEqual({ type: "plain_text", text: "Customer: *Boss* <!here> (@x_y_z)", emoji: true });
  });

  it("shows history text and actors as literal rich text, the actor in our italics", () => {
    const c = card({ history: [{ at: OPENED, actor: "customer", direction: "in", kind: "text", text: FORMATTING }] });
    const rich = blocksOf(c)[blocksOf(c).findIndex((b) => b.text?.text === "*Recent history*") + 1]!;
    expect(rich.elements![0]!.elements).toEqual([{ type: "text", text: "→ " }, { type: "text", text: "customer", style: { italic: true } }, { type: "text", text: ` ${FORMATTING}` }]);
  });

  it("keeps every word the customer chose out of the mrkdwn texts", () => {
    const c = card({ question: `${HOSTILE} ${FORMATTING}`, history: [{ at: OPENED, actor: "customer", direction: "in", kind: "text", text: FORMATTING }] }, { name: "<!channel> *Eve*", username: "<https://evil|x>" });
    const mrkdwn = mrkdwnTexts(blocksOf(c)).join("\n");
    for (const raw of ["<!channel>", "<https://evil", "<@U0ADMIN>", "URGENT", "refund", "Anna (support)", "Eve"]) expect(mrkdwn).not.toContain(raw);
  });

  it("escapes the customer's name in the notification fallback text, sent with mrkdwn off", () => {
    const m = cardMessage(card({}, { name: "<!channel>", username: null }));
    expect(m.text).not.toContain("<!channel>");
    expect(m.mrkdwn).toBe(false);
  });

  it("keeps a multi-line question in one quote", () => {
    expect(question(card({ question: "line one\nline two\nline three" })).text).toBe("line one\nline two\nline three");
  });

  it("says '(none given)' for an empty question", () => {
    expect(question(card({ question: "" })).text).toBe("(none given)");
  });
});

describe("cardMessage: the shortened-question note", () => {
  const NOTE = "_(shortened; the full text is in the thread)_";

  it("appears when the question was truncated", () => {
    expect(question(card({ question: "abc…", questionTruncated: true })).label).toBe(`*Question* ${NOTE}`);
  });

  it("does not appear otherwise", () => {
    expect(question(card({ question: "abc", questionTruncated: false })).label).not.toContain("shortened");
  });
});

describe("cardMessage: recent history", () => {
  it("has no history section when there is no history", () => {
    expect(section(card(), "Recent history")).toBeUndefined();
  });

  it("renders one line per entry, oldest first, with direction arrows", () => {
    const c = card({
      history: [
        { at: OPENED, actor: "customer", direction: "in", kind: "text", text: "hello" },
        { at: OPENED, actor: "bot", direction: "out", kind: "text", text: "hi, how can I help?" },
        { at: OPENED, actor: "system", direction: "event", kind: "points", text: "earned 10 points" },
        { at: OPENED, actor: "system", direction: "sideways", kind: "x", text: "odd one" },
      ],
    });
    expect(section(c, "Recent history")!.text).toBe("→ customer hello\n← bot hi, how can I help?\n• system earned 10 points\n• system odd one");
  });
});

describe("cardMessage: buttons per status", () => {
  it("offers Claim and Resolve on an open ticket, each carrying the ticket id", () => {
    expect(buttons(card({ status: "open" }))).toEqual([CARD_ACTIONS.claim, CARD_ACTIONS.resolve]);
    const values = blocksOf(card({ status: "open" })).find((b) => b.type === "actions")?.elements?.map((e) => e.value);
    expect(values).toEqual(["tkt_1", "tkt_1"]);
  });

  it("offers Resolve and Hand back, but no Claim, on a claimed ticket", () => {
    expect(buttons(card({ status: "claimed", assignee: "agent:U1" }))).toEqual([CARD_ACTIONS.resolve, CARD_ACTIONS.handBack]);
  });

  it.each<TicketStatus>(["resolved", "handed_back", "cancelled"])("has no actions block on a %s ticket", (status) => {
    expect(buttons(card({ status, closedBy: "agent:U1" }))).toBeUndefined();
  });

  it("uses the documented action ids", () => {
    expect(CARD_ACTIONS).toEqual({ claim: "rapport.ticket.claim", resolve: "rapport.ticket.resolve", handBack: "rapport.ticket.hand_back" });
  });
});

describe("statusLine", () => {
  it("says an open ticket is waiting", () => {
    expect(statusLine(card({ status: "open" }))).toBe("⏳ Waiting for a person");
  });

  it("says when the customer was told nobody has answered yet", () => {
    expect(statusLine(card({ status: "open", unanswered: true }))).toBe("⏳ Waiting for a person (the customer was told nobody has answered yet)");
  });

  it("mentions the agent who claimed the ticket", () => {
    expect(statusLine(card({ status: "claimed", assignee: "agent:U012AB3CD" }))).toBe("🙋 Claimed by <@U012AB3CD>");
  });

  it("mentions the agent who resolved or handed back the ticket", () => {
    expect(statusLine(card({ status: "resolved", closedBy: "agent:U9" }))).toBe("✅ Resolved by <@U9>");
    expect(statusLine(card({ status: "handed_back", closedBy: "agent:W7" }))).toBe("↩️ Handed back to the bot by <@W7>");
  });

  it("names non-agent actors in words", () => {
    expect(statusLine(card({ status: "resolved", closedBy: "customer" }))).toBe("✅ Resolved by the customer");
    expect(statusLine(card({ status: "resolved", closedBy: "system" }))).toBe("✅ Resolved by system");
    expect(statusLine(card({ status: "resolved", closedBy: null }))).toBe("✅ Resolved by someone");
  });

  it("says a cancelled ticket's customer stopped waiting", () => {
    expect(statusLine(card({ status: "cancelled", closedBy: "customer" }))).toBe("🚫 The customer stopped waiting");
  });

  it("is shown in the card's context line with the ticket id", () => {
    const ctx = blocksOf(card({ status: "claimed", assignee: "agent:U5" })).find((b) => b.type === "context");
    expect(JSON.stringify(ctx?.elements)).toContain("🙋 Claimed by <@U5> · ticket tkt_1 · ");
  });
});

describe("threadMessage", () => {
  it("puts the customer's name in our bold and their words as literal rich text; the fallback is escaped, mrkdwn off", () => {
    const m = threadMessage({ kind: "customer", name: "Eve <!here>", text: `${HOSTILE}\n${FORMATTING}` });
    expect(m.blocks).toEqual([{ type: "rich_text", elements: [{ type: "rich_text_section", elements: [
      { type: "text", text: "Eve <!here>:", style: { bold: true } },
      { type: "text", text: ` ${HOSTILE}\n${FORMATTING}` },
    ] }] }]);
    expect(m.text).toBe(`Eve &lt;!here&gt;: ${HOSTILE_ESCAPED}\n${FORMATTING.replace(">", "&gt;")}`);
    expect(m.mrkdwn).toBe(false);
  });

  it("cuts very long words into runs Slack accepts, without splitting an emoji", () => {
    const m = threadMessage({ kind: "customer", name: "Eve", text: "😀".repeat(3500) });
    const runs = (m.blocks![0] as Block).elements![0]!.elements!;
    expect(runs.map((r) => [...r.text].length)).toEqual([4, 3000, 501]); // "Eve:", then " 😀…" in two runs
    expect(runs.slice(1).map((r) => r.text).join("")).toBe(` ${"😀".repeat(3500)}`);
  });

  it("sends a notice as our own mrkdwn (staff-facing text may mention people)", () => {
    expect(threadMessage({ kind: "notice", text: "Claimed by <@U1> & moved on" })).toEqual({ text: "_Claimed by <@U1> & moved on_" });
  });
});

describe("truncate", () => {
  it("does not cut text within the limit", () => {
    expect(truncate("hello", 5)).toEqual({ text: "hello", truncated: false });
    expect(truncate("", 5)).toEqual({ text: "", truncated: false });
  });

  it("cuts longer text to exactly `limit` characters, ending in …", () => {
    const r = truncate("abcdefghij", 5);
    expect(r).toEqual({ text: "abcd…", truncated: true });
    expect([...r.text]).toHaveLength(5);
  });

  it("counts an emoji as one character and never splits its surrogate pair", () => {
    expect(truncate("😀😀😀", 3)).toEqual({ text: "😀😀😀", truncated: false });
    const r = truncate("ab😀😀cd", 4);
    expect(r).toEqual({ text: "ab😀…", truncated: true });
    expect(r.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
});
