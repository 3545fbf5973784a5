import { describe, expect, it } from "vitest";
import { DatabaseUnavailableError } from "../../src/core/errors";
import { withDbRetry } from "../../src/db/retry";

const busy = () => Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });

describe("withDbRetry", () => {
  it("returns the first attempt's result without retrying", async () => {
    let calls = 0;
    expect(await withDbRetry(async () => ++calls)).toBe(1);
    expect(calls).toBe(1);
  });

  it("retries a transient failure, reporting each retry, until the call succeeds", async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await withDbRetry(async () => {
      if (++calls < 3) throw busy();
      return "stored";
    }, { firstDelayMs: 1, onRetry: (attempt) => retries.push(attempt) });
    expect(result).toBe("stored");
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it("treats a call that throws before returning a promise like one that rejects", async () => {
    let calls = 0;
    const result = await withDbRetry(() => {
      if (++calls === 1) throw busy();
      return Promise.resolve("second");
    }, { firstDelayMs: 1 });
    expect(result).toBe("second");
    expect(calls).toBe(2);
  });

  it("throws a failure a retry cannot cure at once", async () => {
    let calls = 0;
    await expect(withDbRetry(async () => { calls++; throw new Error("no such table: contacts"); }, { firstDelayMs: 1 })).rejects.toThrow("no such table: contacts");
    expect(calls).toBe(1);
  });

  it("gives up with DatabaseUnavailableError once the budget is spent", async () => {
    let calls = 0;
    const error = await withDbRetry(async () => { calls++; throw busy(); }, { budgetMs: 30, firstDelayMs: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toMatch(/database/i);
    expect(calls).toBeGreaterThan(1);
  });
});
