import { describe, expect, it } from "vitest";
import { suggest } from "../../src/flows/suggest";

const KINDS = ["say", "ask", "branch", "action", "goto", "end"];

describe("suggest", () => {
  it("finds a typo within two edits", () => {
    expect(suggest("brnach", KINDS)).toBe("branch");
    expect(suggest("actoin", KINDS)).toBe("action");
    expect(suggest("menuu", ["greet", "menu", "bye"])).toBe("menu");
  });

  it("prefers a known word the typo starts with (ask_choise → ask)", () => {
    expect(suggest("ask_choise", KINDS)).toBe("ask");
    expect(suggest("goto_step", KINDS)).toBe("goto");
  });

  it("ignores case when measuring distance", () => {
    expect(suggest("SAY", KINDS)).toBe("say");
  });

  it("allows more edits for longer words (a third of the length)", () => {
    expect(suggest("contactsetlocal", ["contact.set_locale", "faq.answer"])).toBe("contact.set_locale");
  });

  it("suggests nothing when no word is close", () => {
    expect(suggest("launch_rocket", KINDS)).toBeUndefined();
    expect(suggest("xyz", ["welcome", "faq"])).toBeUndefined();
    expect(suggest("anything", [])).toBeUndefined();
  });
});
