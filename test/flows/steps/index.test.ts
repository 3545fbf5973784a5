import { describe, expect, it } from "vitest";
import { stepKinds } from "../../../src/flows/steps";

describe("stepKinds", () => {
  it("maps each YAML key to the module that owns that kind", () => {
    expect([...stepKinds.keys()]).toEqual(["say", "ask", "branch", "action", "goto", "end", "return", "wait"]);
    for (const [key, kind] of stepKinds) {
      expect(kind.kind).toBe(key);
      expect(typeof kind.schema.safeParse).toBe("function");
      expect(typeof kind.run).toBe("function");
    }
  });

  it("gives accept() only to the kind that waits for an answer", () => {
    expect([...stepKinds.values()].filter((k) => k.accept).map((k) => k.kind)).toEqual(["ask"]);
  });

  it("lets no kind claim the common fields id, next, disabled", () => {
    for (const common of ["id", "next", "disabled"]) expect(stepKinds.has(common)).toBe(false);
  });
});
