/**
 * Choice tokens for channels with small buttons (src/core/choiceToken.ts): values that fit are sent
 * verbatim, longer ones (and any value starting with "#") as "#" + digest; valueForToken resolves
 * both against the offered values. Also checks that the ask step (src/flows/steps/ask.ts) accepts a
 * press carrying a digest as the long value it stands for.
 */
import { describe, expect, it } from "vitest";
import { choiceToken, valueForToken } from "../../src/core/choiceToken";
import { ask } from "../../src/flows/steps/ask";
import { stepContext } from "../flows/steps/context";

const LIMIT = 64;
const CHINESE_48 = "积分兑换".repeat(12); // 48 characters, 144 bytes in UTF-8
const DIGEST = /^#[A-Za-z0-9_-]{22}$/;

describe("choiceToken", () => {
  it("keeps a value that fits verbatim", () => {
    expect(choiceToken("offers", LIMIT)).toBe("offers");
    expect(choiceToken("积分", LIMIT)).toBe("积分");
    expect(choiceToken("x".repeat(64), LIMIT)).toBe("x".repeat(64)); // exactly at the limit
  });

  it("digests a value over the byte limit into '#' + 22 base64url characters", () => {
    const token = choiceToken(CHINESE_48, LIMIT);
    expect(token).toBe("#KmzfH6RPcTDtzZCOKFyT4k"); // a wire format: keyboards already sent must still resolve
    expect(Buffer.byteLength(token, "utf8")).toBe(23);
    expect(choiceToken("x".repeat(65), LIMIT)).toMatch(DIGEST);
  });

  it("counts bytes, not characters", () => {
    expect(choiceToken("积".repeat(21), LIMIT)).toBe("积".repeat(21)); // 63 bytes
    expect(choiceToken("积".repeat(22), LIMIT)).toMatch(DIGEST); // 66 bytes
  });

  it("always digests a value starting with '#', even a short one", () => {
    expect(choiceToken("#1", LIMIT)).toBe("#Cw-gsigKCWOeIFnlbI-pMo");
    expect(choiceToken("#", LIMIT)).toMatch(DIGEST);
  });

  it("gives different values different digests", () => {
    expect(choiceToken("a".repeat(80), LIMIT)).not.toBe(choiceToken("b".repeat(80), LIMIT));
  });
});

describe("valueForToken", () => {
  const values = ["news", CHINESE_48, "#1", "y".repeat(100)];

  it("resolves a verbatim token to the same value", () => {
    expect(valueForToken("news", values)).toBe("news");
  });

  it("resolves a digest to the long value it stands for", () => {
    expect(valueForToken(choiceToken(CHINESE_48, LIMIT), values)).toBe(CHINESE_48);
    expect(valueForToken(choiceToken("y".repeat(100), LIMIT), values)).toBe("y".repeat(100));
  });

  it("resolves the digest of a value starting with '#', and not the literal", () => {
    expect(valueForToken(choiceToken("#1", LIMIT), values)).toBe("#1");
    expect(valueForToken("#1", values)).toBeUndefined();
  });

  it("returns undefined for a token that matches nothing", () => {
    expect(valueForToken("events", values)).toBeUndefined();
    expect(valueForToken(choiceToken("z".repeat(100), LIMIT), values)).toBeUndefined();
    expect(valueForToken("#AAAAAAAAAAAAAAAAAAAAAA", values)).toBeUndefined();
  });
});

describe("ask step with choice tokens", () => {
  const spec = ask.schema.parse({
    ask: "q", save_as: "reward",
    choices: [{ value: CHINESE_48, label: "t:long" }, { value: "#vip", label: "t:vip" }, { value: "cash", label: "t:cash" }],
  });
  const accept = (value: string) => ask.accept!(spec, { kind: "choice", value }, stepContext());

  it("accepts a press carrying a digest as the long value", () => {
    expect(accept(choiceToken(CHINESE_48, LIMIT))).toEqual({ ok: true, value: CHINESE_48 });
  });

  it("accepts a press carrying the digest of a '#' value, and a verbatim short value", () => {
    expect(accept(choiceToken("#vip", LIMIT))).toEqual({ ok: true, value: "#vip" });
    expect(accept("cash")).toEqual({ ok: true, value: "cash" });
  });

  it("refuses a digest of a value the question did not offer", () => {
    expect(accept(choiceToken("积".repeat(30), LIMIT))).toEqual({ ok: false });
  });
});
