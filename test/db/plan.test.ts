import { describe, expect, it } from "vitest";
import { inListSize, inParts, inValues, listPlaceholders, placeholders, sql, sqlWith } from "../../src/db/plan";

describe("placeholders", () => {
  it("builds a multi-row VALUES list, the same text when asked again", () => {
    expect(placeholders(2, 3)).toBe("(?,?,?),(?,?,?)");
    expect(placeholders(1, 1)).toBe("(?)");
    expect(placeholders(2, 3)).toBe("(?,?,?),(?,?,?)");
    expect(placeholders(3, 2)).toBe("(?,?),(?,?),(?,?)");
  });
});

describe("sqlWith", () => {
  it("is the statement sql() makes from the same values", () => {
    expect(sqlWith("SELECT ?, ?", [1, "a"])).toEqual(sql("SELECT ?, ?", 1, "a"));
  });
});

describe("inValues", () => {
  it("pads an IN list with its last value to 8, 16, …, 512, then multiples of 512", () => {
    expect(inValues(["a", "b"])).toEqual(["a", "b", "b", "b", "b", "b", "b", "b"]);
    expect(inValues(Array(8).fill("x"))).toHaveLength(8);
    expect([9, 16, 17, 300, 500, 512, 513, 1100].map(inListSize)).toEqual([16, 16, 32, 512, 512, 512, 1024, 1536]);
    expect(inValues(Array.from({ length: 300 }, (_, n) => n)).slice(298, 301)).toEqual([298, 299, 299]);
    expect(listPlaceholders(3)).toBe("?,?,?");
  });
});

describe("inParts", () => {
  it("runs a statement per power-of-two part, largest first, none over the largest, and returns every part's rows in order", () => {
    const rows = Array.from({ length: 37 }, (_, i) => i);
    const sizes: number[] = [];
    const plan = inParts(rows, (part) => { sizes.push(part.length); return sqlWith(`INSERT INTO t VALUES ${placeholders(part.length, 1)}`, part); }, 16);
    let step = plan.next();
    while (!step.done) step = plan.next(step.value.params.map((v) => ({ v })));
    expect(sizes).toEqual([16, 16, 4, 1]);
    expect(step.value.map((r) => r.v)).toEqual(rows);
    // Every count up to 300 in at most 9 texts per statement (1, 2, 4, …, 256).
    const texts = new Set<number>();
    for (let n = 1; n <= 300; n++) for (const p of (function* () { const g = inParts(rows.concat(Array(300).fill(0)).slice(0, n), (part) => sqlWith("", part)); let s = g.next(); while (!s.done) { yield s.value.params.length; s = g.next([]); } })()) texts.add(p);
    expect([...texts].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
  });
});
