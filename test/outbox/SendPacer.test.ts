import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SendPacer } from "../../src/outbox/SendPacer";

// Issue 15: campaign messages are paced per channel; replies take a slot without waiting.

describe("SendPacer", () => {
  beforeEach(() => { vi.useFakeTimers(); vi.setSystemTime(0); });
  afterEach(() => vi.useRealTimers());

  /** Resolves `wait` and reports when it did, in fake ms. */
  async function waited(pacer: SendPacer, channel = "telegram"): Promise<number> {
    let at = -1;
    const p = pacer.wait(channel).then(() => { at = Date.now(); });
    while (at < 0) await vi.advanceTimersByTimeAsync(1);
    await p;
    return at;
  }

  it("spaces campaign messages 1/rate apart, per channel, without saving up a quiet spell", async () => {
    const pacer = new SendPacer(4); // one every 250 ms
    expect(await waited(pacer)).toBe(0);
    expect(await waited(pacer)).toBe(250);
    expect(await waited(pacer)).toBe(500);
    expect(await waited(pacer, "webchat")).toBe(500); // another channel has its own pace
    await vi.advanceTimersByTimeAsync(1000); // quiet
    const start = Date.now();
    expect(await waited(pacer)).toBe(start);
    expect(await waited(pacer) - start).toBeLessThanOrEqual(1); // 250 ms made up: one slot at 4/s
    expect(await waited(pacer) - start).toBe(250); // then the pace again
  });

  it("a stalled process makes up for up to 250 ms of slots at once, no more", async () => {
    const pacer = new SendPacer(20); // one every 50 ms
    expect(await waited(pacer)).toBe(0);
    vi.setSystemTime(1000); // the process stalled for a second: its timers could not fire
    const times: number[] = [];
    for (let i = 0; i < 8; i++) times.push(await waited(pacer));
    expect(times).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1050, 1100]); // 250 ms of slots made up: 5 more (each waits a fake ms here)
  });

  it("a campaign alone sends the whole rate: 29 in every second at 29/s", async () => {
    const pacer = new SendPacer(29);
    const times: number[] = [];
    for (let i = 0; i < 29 * 5; i++) times.push(await waited(pacer));
    expect(times.at(-1)! - times[0]!).toBeLessThan(5_000); // 145 messages within 5 s
    for (const t of times) expect(times.filter((u) => u > t - 1000 && u <= t).length).toBeLessThanOrEqual(29);
  });

  it("a reply takes a slot at once and pushes the campaign back by one", async () => {
    const pacer = new SendPacer(10);
    expect(await waited(pacer)).toBe(0);
    pacer.charge("telegram"); // a reply at 0: the slot at 100 is its
    pacer.charge("telegram"); // another: 200
    expect(await waited(pacer)).toBe(300);
  });
});
