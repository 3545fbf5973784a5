import { z } from "zod";
import { describe, expect, it } from "vitest";
import "../../../src/app/actions";
import { actionNames, findAction, registerAction } from "../../../src/flows/actions/registry";

describe("action registry", () => {
  it("has the built-in actions, each with a description and a params schema", () => {
    for (const name of ["faq.answer", "contact.set_locale"]) {
      const def = findAction(name);
      expect(def?.name).toBe(name);
      expect(def?.description.length).toBeGreaterThan(10);
      expect(typeof def?.params.safeParse).toBe("function");
    }
    expect(findAction("contact.set_locale")!.params.safeParse({ locale: "zh-TW" }).success).toBe(true);
    expect(findAction("contact.set_locale")!.params.safeParse({ locale: "de" }).success).toBe(false);
  });

  it("lists names sorted", () => {
    const names = actionNames();
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(["contact.set_locale", "faq.answer"]));
  });

  it("registers a new action once, tolerates the same definition again and refuses a second one", () => {
    const def = registerAction({ name: "test.echo", description: "Echoes its text.", params: z.object({ text: z.string() }), run: ({ text }) => text });
    expect(findAction("test.echo")).toBe(def);
    expect(registerAction(def)).toBe(def);
    expect(() => registerAction({ ...def })).toThrow('action "test.echo" is registered twice');
    expect(actionNames()).toContain("test.echo");
  });

  it("finds nothing for an unknown name", () => {
    expect(findAction("faq.answr")).toBeUndefined();
  });
});
