import { describe, expect, it } from "vitest";
import { end } from "../../../src/flows/steps/end";
import { someStep, stepContext } from "./context";

describe("end", () => {
  it("ends silently with end: true", () => {
    const s = end.schema.parse({ end: true });
    expect(end.run(s, stepContext(), someStep)).toEqual({ say: [], end: true });
    expect(end.keys(s)).toEqual([]);
  });

  it("ends with a last message, counted or not", () => {
    expect(end.run(end.schema.parse({ end: "faq:glad" }), stepContext(), someStep)).toEqual({ say: [{ text: "faq:glad" }], end: true });
    const counted = end.schema.parse({ end: { key: "loyalty:left", count: "contact.points" } });
    expect(end.run(counted, stepContext(), someStep)).toEqual({ say: [{ text: 'loyalty:left{"count":120}' }], end: true });
    expect(end.keys(counted)).toEqual(["loyalty:left"]);
  });

  it("never falls through and refuses end: false", () => {
    expect(end.fallsThrough!(end.schema.parse({ end: true }))).toBe(false);
    expect(end.schema.safeParse({ end: false }).success).toBe(false);
  });
});
