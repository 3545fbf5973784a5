import { describe, expect, it } from "vitest";
import { TranscriptFileError } from "../../../src/core/errors";
import { parseTranscripts } from "../../../src/flows/transcripts/parseTranscript";

describe("parseTranscripts: the shop's and the clock's lines (issue 19)", () => {
  it("reads purchase: as an API body and after: as a duration, between the customer's and the bot's lines", () => {
    const [t] = parseTranscripts("x.transcript", [
      "user: /help",
      'purchase: {"orderId": "A-1", "amount": "24.50", "currency": "EUR"}',
      "bot: Thank you*",
      "after: 3d",
      "bot: How do you like*",
    ].join("\n"));
    expect(t!.lines).toEqual([
      { who: "user", line: 1, text: "/help" },
      { who: "purchase", line: 2, body: { orderId: "A-1", amount: "24.50", currency: "EUR" } },
      { who: "bot", line: 3, text: "Thank you*" },
      { who: "after", line: 4, ms: 3 * 86_400_000 },
      { who: "bot", line: 5, text: "How do you like*" },
    ]);
  });

  it("says where a purchase is not a JSON object or a duration is not one, and that a conversation starts with the customer", () => {
    const problem = (text: string) => { try { parseTranscripts("x.transcript", text); return ""; } catch (e) { expect(e).toBeInstanceOf(TranscriptFileError); return (e as Error).message; } };
    expect(problem("user: hi\npurchase: {orderId: A-1}")).toMatch(/^x\.transcript:2: purchase: takes a JSON object like \{"orderId": "A-1", "amount": "24.50", "currency": "EUR"\}: /);
    expect(problem('user: hi\npurchase: ["A-1"]')).toBe("x.transcript:2: purchase: takes a JSON object, the body of POST /api/v1/purchases without customer");
    expect(problem("user: hi\nafter: three days")).toBe('x.transcript:2: after: takes a duration such as 30m, 2h or 3d, got "three days"');
    expect(problem("after: 1h\nuser: hi")).toBe("x.transcript:1: a conversation starts with a user: line");
  });
});
