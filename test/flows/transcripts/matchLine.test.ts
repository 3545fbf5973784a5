import { describe, expect, it } from "vitest";
import { keyRef, lineMatches, textMatches, textPattern } from "../../../src/flows/transcripts/matchLine";

const texts: Record<string, string[]> = { "w:greeting": ["Hello, {{vars.name}}!"], "w:left": ["{{count}} try left", "{{count}} tries left"], "w:yes": ["Yes"] };
const keys = (key: string) => textPattern(texts[key] ?? []);

describe("transcript line matching", () => {
  it("reads @namespace:key as a key and anything else as text", () => {
    expect(keyRef("@welcome:menu.help")).toBe("welcome:menu.help");
    expect(keyRef("@alice says hi")).toBeUndefined();
  });

  it("matches a key whatever its placeholders were filled with, in any plural form", () => {
    expect(textMatches("@w:greeting", "Hello, Ann!", keys)).toBe(true);
    expect(textMatches("@w:greeting", "Goodbye, Ann!", keys)).toBe(false);
    expect(textMatches("@w:left", "2 tries left", keys)).toBe(true);
    expect(textMatches("@w:nope", "anything", keys)).toBe(false);
    expect(textMatches("@w:greeting*", "Hello, Ann! And more.", keys)).toBe(true); // the key's text, then anything
    expect(lineMatches({ text: "@w:yes*" }, { text: "Yes", choices: [{ value: "y", label: "Y" }] }, keys)).toBe(true);
  });

  it("keeps literal text exact and * as any text", () => {
    expect(textMatches("Hello*", "Hello, Ann!", keys)).toBe(true);
    expect(textMatches("Hello", "Hello, Ann!", keys)).toBe(false);
    expect(textMatches("a.b (c)", "a.b (c)", keys)).toBe(true);
  });

  it("compares buttons label by label, by text or key", () => {
    const reply = { text: "Sure?", choices: [{ value: "y", label: "Yes" }, { value: "n", label: "No" }] };
    expect(lineMatches({ text: "Sure?", choices: ["@w:yes", "No"] }, reply, keys)).toBe(true);
    expect(lineMatches({ text: "Sure?", choices: ["Yes"] }, reply, keys)).toBe(false);
    expect(lineMatches({ text: "Sure?" }, reply, keys)).toBe(false); // buttons must be written, or the line ends with *
    expect(lineMatches({ text: "Sure*" }, reply, keys)).toBe(true);
  });
});
