import { describe, expect, it } from "vitest";
import { renderForTerminal } from "../../../src/channels/terminal/render";

describe("renderForTerminal", () => {
  it("numbers the buttons under the text, from 1", () => {
    expect(renderForTerminal({ text: "What would you like to do?", choices: [{ value: "support", label: "Ask a question" }, { value: "help", label: "What can you do?" }] }))
      .toBe("What would you like to do?\n  1) Ask a question\n  2) What can you do?");
  });

  it("shows buttons that stand for values as the values, without positions", () => {
    const choices = Array.from({ length: 11 }, (_, i) => ({ value: String(i), label: String(i) }));
    expect(renderForTerminal({ text: "How likely?", choices, choicesAreValues: true })).toBe("How likely?\n  [0] [1] [2] [3] [4] [5] [6] [7] [8] [9] [10]");
  });

  it("prints text alone when there are no buttons", () => {
    expect(renderForTerminal({ text: "Hello!\nSecond line" })).toBe("Hello!\nSecond line");
    expect(renderForTerminal({ text: "Hello!", choices: [] })).toBe("Hello!");
  });
});
