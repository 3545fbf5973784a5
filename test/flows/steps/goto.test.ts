import { describe, expect, it } from "vitest";
import { goto } from "../../../src/flows/steps/goto";
import { someStep, stepContext } from "./context";

describe("goto", () => {
  it("jumps to a step or another flow and never falls through", () => {
    const s = goto.schema.parse({ goto: "flow:faq" });
    expect(goto.run(s, stepContext(), someStep)).toEqual({ goto: "flow:faq" });
    expect(goto.targets(s)).toEqual(["flow:faq"]);
    expect(goto.fallsThrough!(s)).toBe(false);
  });

  it("needs a target", () => {
    expect(goto.schema.safeParse({ goto: "" }).success).toBe(false);
  });
});
