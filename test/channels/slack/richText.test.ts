import { describe, expect, it } from "vitest";
import { richTextBlock } from "../../../src/channels/slack/richText";

describe("richTextBlock", () => {
  it("makes literal text runs, styled only where we say, as a paragraph or a quote", () => {
    expect(richTextBlock([{ text: "Olga:", style: { bold: true } }, { text: " *not bold* <!here>" }])).toEqual({
      type: "rich_text", elements: [{ type: "rich_text_section", elements: [{ type: "text", text: "Olga:", style: { bold: true } }, { type: "text", text: " *not bold* <!here>" }] }],
    });
    expect(richTextBlock([{ text: "> not a quote of ours" }], "quote")).toEqual({ type: "rich_text", elements: [{ type: "rich_text_quote", elements: [{ type: "text", text: "> not a quote of ours" }] }] });
  });

  it("keeps an empty run (Slack needs one element) and splits long ones at 3,000 characters", () => {
    expect(richTextBlock([{ text: "" }])).toEqual({ type: "rich_text", elements: [{ type: "rich_text_section", elements: [{ type: "text", text: "" }] }] });
    const long = richTextBlock([{ text: "a".repeat(6001), style: { italic: true } }]) as { elements: { elements: { text: string; style?: object }[] }[] };
    expect(long.elements[0]!.elements.map((e) => [e.text.length, e.style])).toEqual([[3000, { italic: true }], [3000, { italic: true }], [1, { italic: true }]]);
  });
});
