import { describe, expect, it, vi } from "vitest";
import { ContactNotFoundError } from "../../src/core/errors";
import { createLogger, silentLogger } from "../../src/core/log";

function capture(level?: Parameters<typeof createLogger>[0]) {
  const lines: string[] = [];
  return { log: createLogger(level, (l) => lines.push(l)), lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("createLogger", () => {
  it("writes one JSON object per line with time, level, message and fields", () => {
    const c = capture("debug");
    c.log.info("turn handled", { contactId: "c1", ms: 12 });
    expect(c.lines).toHaveLength(1);
    const [entry] = c.parsed();
    expect(entry).toMatchObject({ level: "info", msg: "turn handled", contactId: "c1", ms: 12 });
    expect(new Date(entry!.t as string).toISOString()).toBe(entry!.t);
  });

  it("drops entries below its level (info by default)", () => {
    const c = capture();
    c.log.debug("text: hello");
    c.log.info("a");
    c.log.warn("b");
    c.log.error("c");
    expect(c.parsed().map((e) => e.level)).toEqual(["info", "warn", "error"]);
    const e = capture("error");
    e.log.warn("x");
    e.log.error("y");
    expect(e.parsed().map((x) => x.msg)).toEqual(["y"]);
  });

  it("logs errors by name, message and code (not as {})", () => {
    const c = capture();
    c.log.error("lookup failed", { err: new ContactNotFoundError("terminal:bob") });
    expect(c.parsed()[0]!.err).toEqual({
      name: "ContactNotFoundError",
      message: 'no contact matches "terminal:bob"; use a contact id or <channel>:<external id>, e.g. terminal:alice or telegram:123456',
      code: "rapport_contact_not_found",
    });
  });

  it("writes to stderr by default, and silentLogger writes nothing", () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      silentLogger.error("dropped", { e: new Error("x") });
      expect(write).not.toHaveBeenCalled();
      createLogger("warn").warn("kept");
      expect(write).toHaveBeenCalledTimes(1);
      expect(JSON.parse(String(write.mock.calls[0]![0]))).toMatchObject({ level: "warn", msg: "kept" });
      expect(String(write.mock.calls[0]![0]).endsWith("\n")).toBe(true);
    } finally {
      write.mockRestore();
    }
  });
});
