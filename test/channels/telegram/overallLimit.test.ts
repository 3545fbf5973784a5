import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BULK, overallLimit } from "../../../src/channels/telegram/overallLimit";

// Issue 15: the adapter's overall limit holds over any second, and a send over it waits for one slot, not a window.

describe("overallLimit", () => {
  beforeEach(() => { vi.useFakeTimers(); vi.setSystemTime(0); });
  afterEach(() => vi.useRealTimers());

  /** Sends `n` messages through the limit at once; resolves with each one's start time, in the order they started. */
  async function burst(limit: ReturnType<typeof overallLimit>, n: number, calls: { chat: number; at: number }[], from = 0): Promise<void> {
    const prev = ((_m: string, p: { chat_id: number }) => { calls.push({ chat: p.chat_id, at: Date.now() }); return Promise.resolve({ ok: true, result: true }); }) as never;
    const all = Array.from({ length: n }, (_, i) => limit(prev, "sendMessage", { chat_id: from + i, text: "x" } as never));
    while (calls.length < n + from) await vi.advanceTimersByTimeAsync(1);
    await Promise.all(all);
  }

  it("never starts more than the limit in any second, however the second is cut", async () => {
    const limit = overallLimit(30);
    const calls: { chat: number; at: number }[] = [];
    await vi.advanceTimersByTimeAsync(900);
    await burst(limit, 25, calls); // 25 at 900
    await vi.advanceTimersByTimeAsync(150); // 1051 (the burst took 1 ms): a fixed window starting at 1000 would allow 30 more now
    await burst(limit, 30, calls, 25);
    const times = calls.map((c) => c.at);
    for (const t of times) expect(times.filter((u) => u > t - 1000 && u <= t).length).toBeLessThanOrEqual(30);
    expect(times.filter((t) => t === 1051)).toHaveLength(5); // the room left; the rest when the 900s are a second old
    expect(times.slice(30)).toEqual(Array(25).fill(1900));
  });

  it("keeps the order sends arrived in, and a send over the limit waits for one slot, not a whole window", async () => {
    const limit = overallLimit(3);
    const calls: { chat: number; at: number }[] = [];
    const prev = ((_m: string, p: { chat_id: number }) => { calls.push({ chat: p.chat_id, at: Date.now() }); return Promise.resolve({ ok: true, result: true }); }) as never;
    const send = (chat: number) => limit(prev, "sendMessage", { chat_id: chat } as never);
    void send(1);
    await vi.advanceTimersByTimeAsync(300);
    void send(2);
    await vi.advanceTimersByTimeAsync(300);
    void send(3);
    void send(4);
    void send(5);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toEqual([{ chat: 1, at: 0 }, { chat: 2, at: 300 }, { chat: 3, at: 600 }, { chat: 4, at: 1000 }, { chat: 5, at: 1300 }]);
  });

  it("a reply waiting for room goes before campaign messages that waited longer; the bulk mark never reaches Telegram", async () => {
    const limit = overallLimit(2);
    const calls: { chat: number; at: number; payload: Record<string, unknown> }[] = [];
    const prev = ((_m: string, p: { chat_id: number }) => { calls.push({ chat: p.chat_id, at: Date.now(), payload: p }); return Promise.resolve({ ok: true, result: true }); }) as never;
    const send = (chat: number, bulk?: boolean) => limit(prev, "sendMessage", { chat_id: chat, text: "x", ...(bulk ? { [BULK]: true } : {}) } as never);
    void send(1, true);
    void send(2, true);
    void send(3, true); // waits for room
    await vi.advanceTimersByTimeAsync(100);
    void send(4, true);
    void send(70_001); // a reply, later
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls.map((c) => [c.chat, c.at])).toEqual([[1, 0], [2, 0], [70_001, 1000], [3, 1000], [4, 2000]]);
    expect(calls.every((c) => !(BULK in c.payload) && c.payload.text === "x")).toBe(true);
  });

  it("keeps a fractional limit's average: 7.5/s is 8 in any 1,067 ms", async () => {
    const limit = overallLimit(7.5);
    const calls: { chat: number; at: number }[] = [];
    await burst(limit, 24, calls);
    expect(calls.map((c) => c.at)).toEqual([...Array(8).fill(0), ...Array(8).fill(1067), ...Array(8).fill(2134)]);
  });
});
