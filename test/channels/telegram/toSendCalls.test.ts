/**
 * Outbound message → Telegram sendMessage calls (src/channels/telegram/toSendCalls.ts) and the
 * inline keyboard built from choices (src/channels/telegram/keyboards.ts): splitting long text
 * within Telegram's 4,096 UTF-16 units, where the keyboard and reply-to go, callback data within
 * 64 bytes, and the row layout of buttons.
 */
import { describe, expect, it } from "vitest";
import { CALLBACK_DATA_MAX_BYTES, inlineKeyboard } from "../../../src/channels/telegram/keyboards";
import { TEXT_MAX_LENGTH, toSendCalls } from "../../../src/channels/telegram/toSendCalls";
import { valueForToken } from "../../../src/core/choiceToken";
import type { Choice } from "../../../src/core/message";

const PRIVATE = "123456789";
const GROUP = "-1001234567890";
const squash = (s: string) => s.replace(/\s+/g, "");
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const yesNo: Choice[] = [{ value: "yes", label: "Yes" }, { value: "no", label: "No" }];

/** Words of varying length, so the splitter finds spaces to cut at. */
function prose(chars: number): string {
  const words = ["loyalty", "points", "are", "credited", "within", "two", "business", "days"];
  let text = "";
  for (let i = 0; text.length < chars; i++) text += `${words[i % words.length]} `;
  return text.slice(0, chars);
}

describe("toSendCalls", () => {
  it("sends short text as one call without extras", () => {
    expect(toSendCalls(PRIVATE, { text: "Hello!" })).toEqual([{ text: "Hello!" }]);
  });

  it("puts the choices on the call as an inline keyboard", () => {
    expect(toSendCalls(PRIVATE, { text: "Sure?", choices: yesNo })).toEqual([
      { text: "Sure?", reply_markup: { inline_keyboard: [[{ text: "Yes", callback_data: "yes" }, { text: "No", callback_data: "no" }]] } },
    ]);
  });

  it("splits 10,000 characters into parts of at most 4,096 UTF-16 units, losing nothing", () => {
    const text = prose(10_000);
    const calls = toSendCalls(PRIVATE, { text });
    expect(calls).toHaveLength(3);
    for (const c of calls) expect(c.text.length).toBeLessThanOrEqual(TEXT_MAX_LENGTH);
    expect(squash(calls.map((c) => c.text).join(""))).toBe(squash(text));
  });

  it("splits 5,000 emoji (two UTF-16 units each) within 4,096 units, never halving one", () => {
    const text = "😀".repeat(5_000);
    const calls = toSendCalls(PRIVATE, { text });
    expect(calls.length).toBeGreaterThanOrEqual(3); // 10,000 units need at least three messages
    for (const c of calls) {
      expect(c.text.length).toBeLessThanOrEqual(TEXT_MAX_LENGTH);
      expect(c.text).not.toMatch(LONE_SURROGATE);
    }
    expect(calls.map((c) => c.text).join("")).toBe(text);
  });

  it("puts the keyboard on the last part only", () => {
    const calls = toSendCalls(PRIVATE, { text: prose(10_000), choices: yesNo });
    expect(calls.map((c) => c.reply_markup !== undefined)).toEqual([false, false, true]);
    expect(calls[2]?.reply_markup).toEqual(inlineKeyboard(yesNo));
  });

  it("replies to the customer's message in a group, on the first part only", () => {
    const calls = toSendCalls(GROUP, { text: prose(10_000), replyTo: "42" });
    expect(calls[0]?.reply_parameters).toEqual({ message_id: 42, allow_sending_without_reply: true });
    expect(calls.slice(1).map((c) => c.reply_parameters)).toEqual([undefined, undefined]);
  });

  it("does not reply-quote in a private chat", () => {
    expect(toSendCalls(PRIVATE, { text: "Thanks", replyTo: "42" })).toEqual([{ text: "Thanks" }]);
  });

  it("does not reply in a group when there is nothing to reply to", () => {
    expect(toSendCalls(GROUP, { text: "Thanks" })).toEqual([{ text: "Thanks" }]);
    expect(toSendCalls(GROUP, { text: "Thanks", replyTo: "not-a-number" })).toEqual([{ text: "Thanks" }]);
  });
});

describe("inlineKeyboard", () => {
  it("keeps short ASCII values as callback data verbatim", () => {
    expect(inlineKeyboard([{ value: "offers", label: "Special offers" }]).inline_keyboard).toEqual([[{ text: "Special offers", callback_data: "offers" }]]);
  });

  it("keeps every button's callback data within 64 bytes, even for 48 Chinese characters and values starting with #", () => {
    const chinese = "积分兑换".repeat(12); // 48 characters, 144 bytes
    const choices: Choice[] = [
      { value: chinese, label: "Redeem points" },
      { value: "#1", label: "Number one" },
      { value: `#${"x".repeat(47)}`, label: "Hash long" },
      { value: "plain", label: "Plain" },
    ];
    const buttons = inlineKeyboard(choices).inline_keyboard.flat();
    expect(buttons).toHaveLength(4);
    for (const b of buttons) {
      const data = (b as { callback_data: string }).callback_data;
      expect(Buffer.byteLength(data, "utf8")).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
    }
    const data = buttons.map((b) => (b as { callback_data: string }).callback_data);
    expect(data[0]).toMatch(/^#[A-Za-z0-9_-]{22}$/);
    expect(data[1]).toMatch(/^#[A-Za-z0-9_-]{22}$/); // "#1" fits, but a literal "#" value is always digested
    expect(data[3]).toBe("plain");
    // Each press resolves back to the value the flow offered.
    expect(data.map((d) => valueForToken(d, choices.map((c) => c.value)))).toEqual(choices.map((c) => c.value));
  });

  it("puts short labels (a 1-5 rating) in one row of five", () => {
    const rating = ["1", "2", "3", "4", "5"].map((v) => ({ value: v, label: v }));
    expect(inlineKeyboard(rating).inline_keyboard.map((row) => row.map((b) => b.text))).toEqual([["1", "2", "3", "4", "5"]]);
  });

  it("wraps short labels after five per row", () => {
    const seven = Array.from({ length: 7 }, (_, i) => ({ value: String(i + 1), label: String(i + 1) }));
    expect(inlineKeyboard(seven).inline_keyboard.map((row) => row.map((b) => b.text))).toEqual([["1", "2", "3", "4", "5"], ["6", "7"]]);
  });

  it("counts characters, not UTF-16 units, for short labels (four emoji are short)", () => {
    const faces = ["😞", "😐", "🙂", "😀😀😀😀"].map((l, i) => ({ value: String(i), label: l }));
    expect(inlineKeyboard(faces).inline_keyboard).toHaveLength(1);
  });

  it("puts long labels one per row, and all buttons one per row when any label is long", () => {
    expect(inlineKeyboard(yesNo.map((c) => ({ ...c, label: `${c.label}, please` }))).inline_keyboard.map((row) => row.length)).toEqual([1, 1]);
    expect(inlineKeyboard([{ value: "1", label: "1" }, { value: "more", label: "Tell me more" }]).inline_keyboard.map((row) => row.length)).toEqual([1, 1]);
  });
});
