import { describe, expect, it } from "vitest";
import { keyOf, render, say } from "../../../src/flows/steps/say";
import { someStep, stepContext } from "./context";

describe("say", () => {
  it("sends the translated text and moves on", () => {
    expect(say.run(say.schema.parse({ say: "welcome:greeting" }), stepContext(), someStep)).toEqual({ say: [{ text: "welcome:greeting" }] });
  });

  it("passes count from a vars path for plurals", () => {
    const ctx = stepContext({ cart: { items: 3 } });
    expect(say.run(say.schema.parse({ say: { key: "shop:items", count: "vars.cart.items" } }), ctx, someStep)).toEqual({ say: [{ text: 'shop:items{"count":3}' }] });
    expect(ctx.calls).toEqual([["shop:items", { count: 3 }]]);
  });

  it("reads count from a contact field, and uses 0 when the path is missing", () => {
    expect(render({ key: "loyalty:points", count: "contact.points" }, stepContext())).toBe('loyalty:points{"count":120}');
    expect(render({ key: "loyalty:points", count: "vars.nothing" }, stepContext())).toBe('loyalty:points{"count":0}');
  });

  it("turns a numeric string into a number for count", () => {
    expect(render({ key: "k:n", count: "vars.n" }, stepContext({ n: "21" }))).toBe('k:n{"count":21}');
  });

  it("knows the key of either form and lists it for the linter", () => {
    expect(keyOf("a:b")).toBe("a:b");
    expect(keyOf({ key: "a:c", count: "vars.n" })).toBe("a:c");
    expect(say.keys(say.schema.parse({ say: { key: "a:c" } }))).toEqual(["a:c"]);
    expect(say.targets(say.schema.parse({ say: "a:b" }))).toEqual([]);
  });

  it("refuses an empty text and unknown fields in the text object", () => {
    expect(say.schema.safeParse({ say: "" }).success).toBe(false);
    expect(say.schema.safeParse({ say: { key: "a:b", plural: "vars.n" } }).success).toBe(false);
  });
});
