import { describe, expect, it } from "vitest";
import { inRounds } from "../../src/engine/inRounds";

describe("inRounds", () => {
  it("never puts one key twice in a round and returns results in input order", async () => {
    const rounds: string[][] = [];
    const out = await inRounds(["a1", "b1", "a2", "c1", "a3", "b2"], (s) => s[0]!, async (round) => {
      rounds.push(round);
      return round.map((s) => s.toUpperCase());
    });
    expect(rounds).toEqual([["a1", "b1", "c1"], ["a2", "b2"], ["a3"]]);
    expect(out).toEqual(["A1", "B1", "A2", "C1", "A3", "B2"]);
  });
});

describe("inRounds without repeated keys", () => {
  it("hands the batch over whole, in one round", async () => {
    const items = ["a1", "b1", "c1"];
    const rounds: string[][] = [];
    const out = await inRounds(items, (s) => s[0]!, async (round) => {
      rounds.push(round);
      return round.map((s) => s.toUpperCase());
    });
    expect(rounds).toEqual([["a1", "b1", "c1"]]);
    expect(out).toEqual(["A1", "B1", "C1"]);
  });
});
