import { describe, expect, it } from "vitest";
import { stopWithin } from "../../src/cli/stopWithin";
import { createLogger } from "../../src/core/log";

describe("stopWithin", () => {
  it("runs the steps in order, telling each what is left of the budget", async () => {
    const seen: [string, number][] = [];
    await stopWithin(5_000, createLogger("error", () => undefined), [
      { name: "a", run: (left) => { seen.push(["a", left]); } },
      { name: "b", run: async (left) => { seen.push(["b", left]); } },
    ], () => { throw new Error("no exit expected"); });
    expect(seen.map(([n]) => n)).toEqual(["a", "b"]);
    for (const [, left] of seen) expect(left).toBeGreaterThan(4_000);
  });

  it("exits 1 past the budget, logging the step that was still running", async () => {
    const lines: string[] = [];
    const exited = new Promise<number>((resolve) => {
      void stopWithin(200, createLogger("error", (l) => lines.push(l)), [
        { name: "quick", run: () => undefined },
        { name: "http", run: () => new Promise(() => undefined) },
      ], resolve);
    });
    expect(await exited).toBe(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", msg: "stop took longer than SHUTDOWN_TIMEOUT_SECONDS; exiting with this step unfinished", step: "http", budgetSeconds: 0.2 });
  });
});
