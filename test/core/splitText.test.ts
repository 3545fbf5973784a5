import { describe, expect, it } from "vitest";
import { splitText } from "../../src/core/splitText";

/** Length in code points (what splitText limits). */
const len = (s: string) => Array.from(s).length;
const squash = (s: string) => s.replace(/\s+/g, "");
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The invariants every split must keep. */
function expectWellSplit(text: string, limit: number, parts: string[]) {
  for (const p of parts) {
    expect(len(p)).toBeLessThanOrEqual(limit);
    expect(p.length).toBeGreaterThan(0);
    expect(p).not.toMatch(LONE_SURROGATE);
  }
  expect(squash(parts.join(""))).toBe(squash(text));
}

describe("splitText", () => {
  it("returns text within the limit unchanged, as one part", () => {
    expect(splitText("hello", 5)).toEqual(["hello"]);
    expect(splitText("", 10)).toEqual([""]);
    expect(splitText("  spaced  \n", 100)).toEqual(["  spaced  \n"]);
  });

  it("prefers a paragraph break", () => {
    expect(splitText("aaaa bbbb\n\ncccc dddd", 12)).toEqual(["aaaa bbbb", "cccc dddd"]);
  });

  it("then a line break", () => {
    expect(splitText("aaaa bbbb\ncccc dddd eeee", 12)).toEqual(["aaaa bbbb", "cccc dddd", "eeee"]);
  });

  it("then a space", () => {
    expect(splitText("one two three four five six", 10)).toEqual(["one two", "three", "four five", "six"]);
  });

  it("ignores a boundary in the first half of the window, so parts are not tiny", () => {
    expect(splitText("a\n\nbcdefghijklmnop qrst", 12)).toEqual(["a\n\nbcdefghij", "klmnop qrst"]);
  });

  it("hard-cuts a word longer than the limit", () => {
    expect(splitText("abcdefghijklmnopqrstuvwxyz", 10)).toEqual(["abcdefghij", "klmnopqrst", "uvwxyz"]);
  });

  it("counts characters, not UTF-16 units, and keeps accented text whole", () => {
    const text = "żółć ".repeat(10).trim();
    const parts = splitText(text, 12);
    expectWellSplit(text, 12, parts);
    expect(parts.every((p) => /^(żółć ?)+$/.test(p))).toBe(true);
  });

  it("does not break emoji at a word boundary", () => {
    const text = "héllo wörld 😀 ".repeat(800);
    expectWellSplit(text, 4096, splitText(text, 4096));
  });

  // A hard cut counts characters, not UTF-16 units, so it never lands inside a surrogate pair.
  it("does not break or lose emoji on a hard cut", () => {
    const text = "😀".repeat(7);
    const parts = splitText(text, 3);
    expectWellSplit(text, 3, parts);
    expect(parts).toEqual(["😀😀😀", "😀😀😀", "😀"]);
  });

  it("keeps every character and each part within the limit on long mixed text", () => {
    const paragraph = "Orders ship within 1 business day.\nDelivery takes 2-5 days, depending on your region. ";
    const text = Array.from({ length: 60 }, (_, i) => `${i}. ${paragraph.repeat(1 + (i % 4))}`).join("\n\n");
    for (const limit of [50, 333, 4096]) {
      const parts = splitText(text, limit);
      expect(parts.length).toBeGreaterThan(1);
      expectWellSplit(text, limit, parts);
    }
  });

  it("splits a 10,000-character message into 3 parts at Telegram's 4,096", () => {
    const words = Array.from({ length: 2000 }, (_, i) => `word${i % 10}`).join(" ").slice(0, 10_000);
    expect(words.length).toBe(10_000);
    const parts = splitText(words);
    expect(parts).toHaveLength(3);
    expectWellSplit(words, 4096, parts);
    expect(splitText("x".repeat(10_000)).map((p) => p.length)).toEqual([4096, 4096, 1808]);
  });

  it("refuses a limit below 1", () => {
    expect(() => splitText("abc", 0)).toThrow(new RangeError("splitText: limit must be positive, got 0"));
  });
});
