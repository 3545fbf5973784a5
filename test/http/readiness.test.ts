import { describe, expect, it } from "vitest";
import { cachedProbe } from "../../src/http/readiness";

describe("cachedProbe", () => {
  it("asks once per ttl, shares a check in flight, and counts a throwing probe as not ready", async () => {
    let clock = 0;
    let calls = 0;
    let answer: boolean | Error = true;
    const probe = cachedProbe(async () => { calls++; if (answer instanceof Error) throw answer; return answer; }, 2_000, () => clock);
    expect(await Promise.all([probe(), probe(), probe()])).toEqual([true, true, true]);
    expect(calls).toBe(1);
    answer = false;
    clock = 1_999;
    expect(await probe()).toBe(true); // still cached
    clock = 2_000;
    expect(await probe()).toBe(false);
    answer = new Error("connection refused");
    clock = 4_000;
    expect(await probe()).toBe(false);
    expect(calls).toBe(3);
  });
});
