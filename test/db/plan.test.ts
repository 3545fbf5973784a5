import { describe, expect, it } from "vitest";
import { placeholders, sql, sqlWith } from "../../src/db/plan";

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
