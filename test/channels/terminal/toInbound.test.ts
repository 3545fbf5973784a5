import { describe, expect, it } from "vitest";
import { terminalBody, type ShownButtons } from "../../../src/channels/terminal/toInbound";

const menu: ShownButtons = { choices: [
  { value: "support", label: "Ask a question" },
  { value: "language", label: "Change language" },
  { value: "help", label: "What can you do?" },
] };
const score: ShownButtons = { choices: Array.from({ length: 11 }, (_, i) => ({ value: String(i), label: String(i) })), values: true };

describe("terminalBody", () => {
  it("reads a command with a deep-link payload", () => {
    expect(terminalBody("/start ref-AB12", undefined)).toEqual({ kind: "command", command: "start", payload: "ref-AB12" });
  });

  it("lowercases the command and keeps the payload's case", () => {
    expect(terminalBody("/START", undefined)).toEqual({ kind: "command", command: "start", payload: undefined });
    expect(terminalBody("  /Start   Ref-AB12  \n", menu)).toEqual({ kind: "command", command: "start", payload: "Ref-AB12" });
  });

  it("takes a command before a number even when buttons are shown", () => {
    expect(terminalBody("/faq", menu)).toEqual({ kind: "command", command: "faq", payload: undefined });
  });

  it("treats a number that picks a shown button as that button's press", () => {
    expect(terminalBody("2", menu)).toEqual({ kind: "choice", value: "language", label: "Change language" });
    expect(terminalBody(" 3 ", menu)).toEqual({ kind: "choice", value: "help", label: "What can you do?" });
    expect(terminalBody("1\n", menu)).toEqual({ kind: "choice", value: "support", label: "Ask a question" });
  });

  it("keeps a number outside the buttons as text", () => {
    expect(terminalBody("7", menu)).toEqual({ kind: "text", text: "7" });
    expect(terminalBody("0", menu)).toEqual({ kind: "text", text: "0" });
    expect(terminalBody("1.5", menu)).toEqual({ kind: "text", text: "1.5" });
  });

  it("keeps a number as text when no buttons were shown", () => {
    expect(terminalBody("2", undefined)).toEqual({ kind: "text", text: "2" });
    expect(terminalBody("2", { choices: [] })).toEqual({ kind: "text", text: "2" });
  });

  it("keeps a number as typed where the buttons are values (a 0-10 score): 9 is 9, not the ninth button", () => {
    expect(terminalBody("9", score)).toEqual({ kind: "text", text: "9" });
    expect(terminalBody("0", score)).toEqual({ kind: "text", text: "0" });
    expect(terminalBody("10", score)).toEqual({ kind: "text", text: "10" });
  });

  it("passes other text through without its line ending", () => {
    expect(terminalBody("where is my parcel?\r\n", menu)).toEqual({ kind: "text", text: "where is my parcel?" });
    expect(terminalBody("a / b", undefined)).toEqual({ kind: "text", text: "a / b" });
    expect(terminalBody("/", undefined)).toEqual({ kind: "text", text: "/" });
  });
});
