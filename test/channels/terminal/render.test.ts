import { describe, expect, it } from "vitest";
import { renderForTerminal } from "../../../src/channels/terminal/render";

describe("renderForTerminal", () => {
  it("numbers the buttons under the text, from 1", () => {
    expect(renderForTerminal({ text: "What would you like to do?", choices: [{ value: "support", label: "Ask a question" }, { value: "help", label: "What can you do?" }] }))
      .toBe("What would you like to do?\n  1) Ask a question\n  2) What can you do?");
  });

  it("prints text alone when there are no buttons", () => {
    expect(renderForTerminal({ text: "Hello!\nSecond line" })).toBe("Hello!\nSecond line");
    expect(renderForTerminal({ text: "Hello!", choices: [] })).toBe("Hello!");
  });
});
