import { describe, expect, it } from "vitest";
import { returnStep } from "../../../src/flows/steps/return";
import { someStep, stepContext } from "./context";

describe("return", () => {
  it("ends and asks the runtime to go back to the interrupted question, with or without a last message", () => {
    expect(returnStep.run(returnStep.schema.parse({ return: true }), stepContext(), someStep)).toEqual({ say: [], end: true, returnToQuestion: true });
    expect(returnStep.run(returnStep.schema.parse({ return: "faq:glad" }), stepContext(), someStep)).toEqual({ say: [{ text: "faq:glad" }], end: true, returnToQuestion: true });
    expect(returnStep.keys(returnStep.schema.parse({ return: "faq:glad" }))).toEqual(["faq:glad"]);
  });

  it("never falls through and refuses return: false", () => {
    expect(returnStep.fallsThrough!(returnStep.schema.parse({ return: true }))).toBe(false);
    expect(returnStep.schema.safeParse({ return: false }).success).toBe(false);
  });
});
