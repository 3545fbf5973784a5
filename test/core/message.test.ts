import { describe, expect, it } from "vitest";
import { describeInbound, parseCommand } from "../../src/core/message";

describe("describeInbound", () => {
  it("renders each body kind as one line for history", () => {
    expect(describeInbound({ kind: "text", text: "where is my parcel?" })).toBe("where is my parcel?");
    expect(describeInbound({ kind: "choice", value: "support", label: "Ask a question" })).toBe("Ask a question");
    expect(describeInbound({ kind: "choice", value: "support" })).toBe("support");
    expect(describeInbound({ kind: "command", command: "start", payload: "ref-AB12" })).toBe("/start ref-AB12");
    expect(describeInbound({ kind: "command", command: "help" })).toBe("/help");
    expect(describeInbound({ kind: "media", media: "photo", caption: "my receipt" })).toBe("my receipt");
    expect(describeInbound({ kind: "media", media: "voice", fileId: "f1" })).toBe("[voice]");
  });
});


describe("parseCommand", () => {
  it("reads commands with payloads, bot mentions and any case; anything else is not a command", () => {
    expect(parseCommand("/start ref-AB12")).toEqual({ kind: "command", command: "start", payload: "ref-AB12" });
    expect(parseCommand("  /START@RapportBot   ref-AB12  ")).toEqual({ kind: "command", command: "start", payload: "ref-AB12" });
    expect(parseCommand("/help")).toEqual({ kind: "command", command: "help", payload: undefined });
    expect(parseCommand("/faq how do I\nreturn this?")).toEqual({ kind: "command", command: "faq", payload: "how do I\nreturn this?" });
    expect(parseCommand("hello /start")).toBeUndefined();
    expect(parseCommand("/")).toBeUndefined();
    expect(parseCommand("/ünïcode")).toBeUndefined();
  });
});
