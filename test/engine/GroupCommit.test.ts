import { describe, expect, it } from "vitest";
import { GroupCommit } from "../../src/engine/GroupCommit";

describe("GroupCommit", () => {
  it("batches items that arrive while a flush runs", async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>(async (items) => { batches.push(items); await new Promise((r) => setTimeout(r, 5)); return items.map((i) => i * 10); });
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => gc.submit(i)));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(batches.flat().sort()).toEqual([1, 2, 3, 4, 5]);
    expect(batches.length).toBeLessThan(5);
  });

  it("one failing item fails only itself, not the items batched with it", async () => {
    const gc = new GroupCommit<string, string>(async (items) => {
      if (items.includes("bad")) throw new Error("bad item");
      return items.map((i) => i.toUpperCase());
    });
    const results = await Promise.allSettled(["a", "bad", "c"].map((i) => gc.submit(i)));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual(["A", "bad item", "C"]);
  });
});
