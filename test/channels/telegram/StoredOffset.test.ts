import type { Api } from "grammy";
import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { StoredOffset } from "../../../src/channels/telegram/StoredOffset";
import { silentLogger } from "../../../src/core/log";

/** A getUpdates that, like Telegram, returns every update from `offset` on, and records the offsets asked for. */
function fakeApi(ids: number[]) {
  const offsets: number[] = [];
  let pending = [...ids];
  const api = {
    getUpdates: async (args: { offset: number }) => {
      offsets.push(args.offset);
      pending = pending.filter((id) => id >= args.offset);
      return pending.map((update_id) => ({ update_id }) as Update);
    },
  } as unknown as Api;
  return { api, offsets, add: (id: number) => pending.push(id), drop: (id: number) => { pending = pending.filter((x) => x !== id); } };
}

const signal = () => new AbortController().signal as never;

describe("StoredOffset", () => {
  it("confirms only what is stored: the offset stays at the oldest update not stored yet", async () => {
    const t = fakeApi([10, 11, 12]);
    const source = new StoredOffset(t.api, { log: silentLogger, allowedUpdates: [], recheckMs: 5 });
    expect((await source.supply(100, signal())).map((u) => u.update_id)).toEqual([10, 11, 12]);
    source.settled(11);
    expect(source.offset()).toBe(10);
    source.settled(10);
    expect(source.offset()).toBe(12);
    t.add(13);
    expect((await source.supply(100, signal())).map((u) => u.update_id)).toEqual([13]); // 12 again from Telegram, not handed on twice
    expect(t.offsets.at(-1)).toBe(12);
    source.settled(12);
    source.settled(13);
    expect(source.offset()).toBe(14);
  });

  it("after a store failure, stops fetching until the database is back, then hands the update on again", async () => {
    const t = fakeApi([20, 21]);
    let ready = false;
    let checks = 0;
    const source = new StoredOffset(t.api, { log: silentLogger, allowedUpdates: [], pauseMs: 10, recheckMs: 5, storeReady: async () => { checks++; return ready; } });
    await source.supply(100, signal());
    source.settled(21);
    source.notStored(20);
    expect(source.isPaused).toBe(true);
    expect(source.offset()).toBe(20);
    const calls = t.offsets.length;
    const again = source.supply(100, signal());
    await new Promise((r) => setTimeout(r, 60));
    expect(t.offsets.length).toBe(calls); // no getUpdates while the database is away
    expect(checks).toBeGreaterThan(1);
    ready = true;
    expect((await again).map((u) => u.update_id)).toEqual([20]);
    expect(t.offsets.at(-1)).toBe(20);
    expect(source.isPaused).toBe(false);
  });

  it("forgets a failed update Telegram no longer returns (kept 24 h), so the offset moves on", async () => {
    const t = fakeApi([30, 31]);
    const source = new StoredOffset(t.api, { log: silentLogger, allowedUpdates: [], pauseMs: 1, recheckMs: 5 });
    await source.supply(100, signal());
    source.notStored(30);
    source.settled(31);
    t.drop(30);
    t.add(32);
    expect((await source.supply(100, signal())).map((u) => u.update_id)).toEqual([32]);
    source.settled(32);
    expect(source.offset()).toBe(33);
  });

  it("confirms what was stored when asked (on stop)", async () => {
    const t = fakeApi([40, 41]);
    const source = new StoredOffset(t.api, { log: silentLogger, allowedUpdates: [] });
    await source.confirm(); // nothing fetched yet: nothing to confirm
    expect(t.offsets).toEqual([]);
    await source.supply(100, signal());
    source.settled(40);
    await source.confirm();
    expect(t.offsets.at(-1)).toBe(41);
  });
});
