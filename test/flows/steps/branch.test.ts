import { describe, expect, it } from "vitest";
import { branch } from "../../../src/flows/steps/branch";
import { someStep, stepContext } from "./context";

const spec = branch.schema.parse({
  branch: [
    { if: { var: "choice", equals: "support" }, goto: "flow:faq" },
    { if: { contact: "tier", in: ["star", "guru"] }, goto: "vip" },
    { else: "menu" },
  ],
});

describe("branch", () => {
  it("goes to the first arm whose condition holds", () => {
    expect(branch.run(spec, stepContext({ choice: "support" }), someStep)).toEqual({ goto: "flow:faq" });
    expect(branch.run(spec, stepContext({ choice: "other" }, { tier: "guru" }), someStep)).toEqual({ goto: "vip" });
  });

  it("takes else when nothing matched", () => {
    expect(branch.run(spec, stepContext({ choice: "other" }, { tier: "novice" }), someStep)).toEqual({ goto: "menu" });
  });

  it("falls through when nothing matched and there is no else", () => {
    const open = branch.schema.parse({ branch: [{ if: { var: "x", exists: true }, goto: "a" }] });
    expect(branch.run(open, stepContext(), someStep)).toEqual({});
    expect(branch.fallsThrough!(open)).toBe(true);
    expect(branch.fallsThrough!(spec)).toBe(false);
  });

  it("lists every arm's target for the linter", () => {
    expect(branch.targets(spec)).toEqual(["flow:faq", "vip", "menu"]);
  });

  it("refuses an empty branch, an arm without goto and an invalid condition", () => {
    expect(branch.schema.safeParse({ branch: [] }).success).toBe(false);
    expect(branch.schema.safeParse({ branch: [{ if: { var: "x", equals: 1 } }] }).success).toBe(false);
    expect(branch.schema.safeParse({ branch: [{ if: { var: "x", contact: "tier", equals: 1 }, goto: "a" }] }).success).toBe(false);
  });
});
