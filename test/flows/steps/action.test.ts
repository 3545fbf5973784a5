import { describe, expect, it } from "vitest";
import { action } from "../../../src/flows/steps/action";
import { someStep, stepContext } from "./context";

describe("action", () => {
  it("asks the runtime to call the action with filled-in parameters", () => {
    const s = action.schema.parse({ action: "loyalty.award", with: { points: "{{vars.amount}}", reason: "order {{vars.order.id}} for {{contact.displayName}}" }, save_as: "award" });
    expect(action.run(s, stepContext({ amount: 50, order: { id: "A-7" } }), someStep)).toEqual({
      call: { action: "loyalty.award", params: { points: 50, reason: "order A-7 for Ann" }, saveAs: "award" },
    });
  });

  it("calls with empty parameters when `with` is absent", () => {
    expect(action.run(action.schema.parse({ action: "faq.answer" }), stepContext(), someStep)).toEqual({ call: { action: "faq.answer", params: {}, saveAs: undefined } });
  });

  it("names its action for the linter and has no targets or texts", () => {
    const s = action.schema.parse({ action: "contact.set_locale" });
    expect(action.actions!(s)).toEqual(["contact.set_locale"]);
    expect(action.targets(s)).toEqual([]);
    expect(action.keys(s)).toEqual([]);
  });

  it("explains a malformed action name", () => {
    expect(action.schema.safeParse({ action: "Faq.Answer" }).error?.issues[0]?.message).toBe("action names look like faq.answer or loyalty.balance");
    expect(action.schema.safeParse({ action: "faq.answer", save_as: "my-var" }).success).toBe(false);
  });
});
