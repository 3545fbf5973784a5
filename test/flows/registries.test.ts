import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import "../../src/app/actions";
import { actionNames, findAction } from "../../src/flows/actions/registry";
import { stepKinds } from "../../src/flows/steps";
import { ROOT } from "../helpers/testApp";

// Marketers learn the flow language from flows/README.md; a step kind or action missing there is
// one they cannot use. Both registries are walked, so a new one cannot ship undocumented.
const docs = readFileSync(join(ROOT, "flows/README.md"), "utf8");

describe("step kinds and actions", () => {
  it("every step kind resolves by its own name, has a schema and a section in flows/README.md", () => {
    expect([...stepKinds.keys()].sort()).toEqual(["action", "ask", "branch", "end", "goto", "return", "say", "wait"]);
    for (const [name, kind] of stepKinds) {
      expect(kind.kind).toBe(name);
      expect(typeof kind.schema.safeParse).toBe("function");
      expect(docs, `flows/README.md documents the ${name} step`).toMatch(new RegExp(`^### .*\\b${name}\\b`, "m"));
    }
  });

  it("every registered action resolves, has a parameter schema and a description, and is in the README's action table", () => {
    expect(actionNames().length).toBeGreaterThan(0);
    for (const name of actionNames()) {
      const action = findAction(name)!;
      expect(action.name).toBe(name);
      expect(typeof action.params.safeParse).toBe("function");
      expect(action.description.length).toBeGreaterThan(10);
      expect(action.returns?.length, `${name} declares its result fields (lint checks vars.<save_as>.<field>)`).toBeGreaterThan(0);
      expect(docs, `flows/README.md lists the ${name} action`).toMatch(new RegExp(`^\\| \`${name.replace(".", "\\.")}\` \\|`, "m"));
    }
  });
});
