import { describe, expect, it } from "vitest";
import { findIllFormedText } from "../../src/core/illFormedText";

describe("findIllFormedText", () => {
  it("finds NUL and lone surrogates, and passes well-formed text (pairs, other controls) through", () => {
    expect(findIllFormedText("ab\u0000c")).toEqual({ index: 2, what: "a NUL character (U+0000)" });
    expect(findIllFormedText("x\ud83d")).toEqual({ index: 1, what: "a lone surrogate (U+D83D)" });
    expect(findIllFormedText("\ude00y")).toEqual({ index: 0, what: "a lone surrogate (U+DE00)" });
    expect(findIllFormedText("\ude00\ud83d")?.index).toBe(0); // reversed pair: both halves alone
    expect(findIllFormedText("ok 😀 Zoë\ttab")).toBeUndefined();
  });
});
