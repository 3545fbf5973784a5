import { describe, expect, it } from "vitest";
import { conditionSchema, evaluate, type Condition } from "../../src/flows/conditions";
import type { ContactView } from "../../src/flows/types";

const contact: ContactView = { id: "c1", displayName: "Ann", username: null, locale: "ru", points: 120, tier: "star", segment: null, attributes: {} };
const vars = { choice: "support", age: 30, count: "7", yes: true, faq: { found: true, topic: "delivery" }, email: "ann@example.com", empty: null };
const scope = { vars, contact };
/** Parses as the loader does, then evaluates. */
const holds = (raw: unknown) => evaluate(conditionSchema.parse(raw), scope);

describe("conditions", () => {
  describe("equals / not_equals", () => {
    it("compares vars and contact fields", () => {
      expect(holds({ var: "choice", equals: "support" })).toBe(true);
      expect(holds({ var: "choice", equals: "language" })).toBe(false);
      expect(holds({ contact: "tier", equals: "star" })).toBe(true);
      expect(holds({ contact: "locale", not_equals: "ru" })).toBe(false);
      expect(holds({ contact: "locale", not_equals: "en" })).toBe(true);
    });

    it("compares a number with its YAML string form and a boolean with true", () => {
      expect(holds({ var: "count", equals: 7 })).toBe(true);
      expect(holds({ var: "age", equals: "30" })).toBe(true);
      expect(holds({ var: "yes", equals: true })).toBe(true);
      expect(holds({ var: "yes", equals: "yes" })).toBe(false);
    });

    it("reads nested dotted var paths", () => {
      expect(holds({ var: "faq.found", equals: true })).toBe(true);
      expect(holds({ var: "faq.topic", equals: "returns" })).toBe(false);
      expect(holds({ var: "faq.missing.deeper", equals: "x" })).toBe(false);
    });

    it("treats a missing value as equal to nothing but not_equals to anything", () => {
      expect(holds({ var: "nothing", equals: "undefined" })).toBe(false);
      expect(holds({ var: "nothing", not_equals: "x" })).toBe(true);
    });
  });

  describe("in / not_in", () => {
    it("checks membership", () => {
      expect(holds({ contact: "tier", in: ["star", "guru"] })).toBe(true);
      expect(holds({ contact: "tier", in: ["novice"] })).toBe(false);
      expect(holds({ var: "choice", not_in: ["help", "language"] })).toBe(true);
      expect(holds({ var: "choice", not_in: ["support"] })).toBe(false);
      expect(holds({ var: "age", in: [29, 30] })).toBe(true);
    });
  });

  describe("gt / gte / lt / lte", () => {
    it("compares numbers, including numeric strings", () => {
      expect(holds({ contact: "points", gt: 100 })).toBe(true);
      expect(holds({ contact: "points", gt: 120 })).toBe(false);
      expect(holds({ contact: "points", gte: 120 })).toBe(true);
      expect(holds({ contact: "points", lt: 120 })).toBe(false);
      expect(holds({ contact: "points", lte: 120 })).toBe(true);
      expect(holds({ var: "count", gt: 6, lt: 8 })).toBe(true);
      expect(holds({ var: "count", gt: 6, lt: 7 })).toBe(false);
    });

    it("is false for values that are not numbers", () => {
      expect(holds({ var: "choice", gt: 0 })).toBe(false);
      expect(holds({ var: "choice", lte: 0 })).toBe(false);
      expect(holds({ var: "nothing", gte: 0 })).toBe(false);
    });
  });

  describe("exists", () => {
    it("is true for set values and false for missing or null ones", () => {
      expect(holds({ var: "email", exists: true })).toBe(true);
      expect(holds({ var: "nothing", exists: true })).toBe(false);
      expect(holds({ var: "nothing", exists: false })).toBe(true);
      expect(holds({ var: "empty", exists: false })).toBe(true);
      expect(holds({ contact: "segment", exists: true })).toBe(false);
      expect(holds({ contact: "displayName", exists: true })).toBe(true);
    });
  });

  describe("matches", () => {
    it("tests a case-insensitive regular expression", () => {
      expect(holds({ var: "email", matches: "@EXAMPLE\\.com$" })).toBe(true);
      expect(holds({ var: "email", matches: "^bob@" })).toBe(false);
      expect(holds({ contact: "displayName", matches: "^an" })).toBe(true);
    });

    it("matches a missing value as the empty string", () => {
      expect(holds({ var: "nothing", matches: "^$" })).toBe(true);
      expect(holds({ var: "nothing", matches: "." })).toBe(false);
    });
  });

  describe("all / any / not", () => {
    const star = { contact: "tier", equals: "star" };
    const novice = { contact: "tier", equals: "novice" };

    it("combines conditions", () => {
      expect(holds({ all: [star, { var: "faq.found", equals: true }] })).toBe(true);
      expect(holds({ all: [star, novice] })).toBe(false);
      expect(holds({ any: [novice, star] })).toBe(true);
      expect(holds({ any: [novice, { var: "nothing", exists: true }] })).toBe(false);
      expect(holds({ not: novice })).toBe(true);
      expect(holds({ not: star })).toBe(false);
    });

    it("nests", () => {
      expect(holds({ not: { any: [novice, { all: [star, { contact: "points", gte: 100 }] }] } })).toBe(false);
      expect(holds({ not: { any: [novice, { all: [star, { contact: "points", gte: 500 }] }] } })).toBe(true);
    });

    it("applies every operator written in one comparison", () => {
      expect(holds({ contact: "points", gte: 100, lt: 200, not_in: [150] })).toBe(true);
      expect(holds({ contact: "points", gte: 100, equals: 99 })).toBe(false);
    });
  });

  describe("schema", () => {
    const message = (raw: unknown) => conditionSchema.safeParse(raw).error?.issues.map((i) => i.message).join("; ");

    it("rejects a comparison with both var and contact, or neither", () => {
      expect(conditionSchema.safeParse({ var: "x", contact: "tier", equals: 1 }).success).toBe(false);
      expect(conditionSchema.safeParse({ equals: 1 }).success).toBe(false);
      expect(message({ var: "x", contact: "tier", equals: 1 })).toContain("a condition names exactly one of `var` or `contact`");
    });

    it("rejects unknown contact fields, unknown operators and empty lists", () => {
      expect(conditionSchema.safeParse({ contact: "email", exists: true }).success).toBe(false);
      expect(conditionSchema.safeParse({ var: "x", equal: 1 }).success).toBe(false);
      expect(conditionSchema.safeParse({ var: "x", gt: "5" }).success).toBe(false);
      expect(conditionSchema.safeParse({ all: [] }).success).toBe(false);
      expect(conditionSchema.safeParse({ any: [{ var: "x", exists: true }], extra: 1 }).success).toBe(false);
    });

    it("accepts nested combinations", () => {
      const c: Condition = { all: [{ not: { var: "a", exists: true } }, { any: [{ contact: "points", gt: 1 }] }] };
      expect(conditionSchema.parse(c)).toEqual(c);
    });
  });
});
