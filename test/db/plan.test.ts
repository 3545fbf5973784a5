import { describe, expect, it } from "vitest";
import { inListSize, inValues, listPlaceholders, placeholders, sql, sqlWith } from "../../src/db/plan";

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
