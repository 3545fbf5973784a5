/**
 * The loyalty rules file: the shipped one is valid and matches the built-in defaults, mistakes are
 * reported with file:line:col like flow problems (also through `lintFlows`), and the tier and
 * earning arithmetic.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import "../../src/app/actions";
import { formatProblem } from "../../src/core/errors";
import { lintFlows } from "../../src/flows/lintFlows";
import { Translator } from "../../src/i18n/Translator";
import { parseRules } from "../../src/loyalty/loadRules";
import { DEFAULT_RULES, exactDecimal, nextTier, purchasePoints, tierFor } from "../../src/loyalty/rules";
import { ROOT } from "../helpers/testApp";

const shipped = readFileSync(join(ROOT, "flows/loyalty.yaml"), "utf8");
const locales = Translator.fromDirectory(join(ROOT, "locales"));

describe("loyalty rules", () => {
  it("the shipped flows/loyalty.yaml is valid, translated, and the defaults are its values", () => {
    const { rules, problems } = parseRules("flows/loyalty.yaml", shipped, locales);
    expect(problems).toEqual([]);
    expect({ ...rules, rewards: [] }).toEqual(DEFAULT_RULES);
    expect(rules!.rewards.map((r) => r.id)).toEqual(["coffee", "discount_10", "free_delivery"]);
  });

  it("reports mistakes with line and column, through the flow linter too", () => {
    const bad = shipped
      .replace("registration_bonus: 50", "registration_bonus: -5")
      .replace("star: { from: 5000, multiplier: 1.5 }", "star: { from: 500, multiplier: 1.5 }")
      .replace("qualifies_on: first_purchase", "qualifies_on: first_visit\n    bonus_typo: 3")
      .replace('{ id: free_delivery, cost: 300, label: "loyalty:rewards.free_delivery" }', '{ id: coffee, cost: 300, label: "loyalty:rewards.nope" }');
    const problems = lintFlows([{ file: "flows/loyalty.yaml", source: bad }], locales).problems.map(formatProblem);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^flows\/loyalty\.yaml:6:23: loyalty\.registration_bonus: /),
      expect.stringMatching(/^flows\/loyalty\.yaml:\d+:\d+: loyalty\.referral\.qualifies_on: /),
      expect.stringMatching(/^flows\/loyalty\.yaml:\d+:5: loyalty\.referral: unknown field "bonus_typo"/),
    ]));
    const structural = lintFlows([{ file: "flows/loyalty.yaml", source: shipped.replace("star: { from: 5000", "star: { from: 500").replace("id: free_delivery", "id: coffee") }], locales).problems.map((p) => p.message);
    expect(structural).toEqual(["loyalty.tiers.star.from: star must start above connoisseur (1000)", "loyalty.rewards.2.id: reward id \"coffee\" is used twice"]);
    const untranslated = lintFlows([{ file: "flows/loyalty.yaml", source: shipped.replace('"loyalty:rewards.coffee"', '"loyalty:rewards.tea"') }], locales).problems.map((p) => p.message);
    expect(untranslated).toContain('reward label "loyalty:rewards.tea" has no en translation');
  });

  it("tiers follow lifetime points; purchases earn points per unit × the tier's multiplier, rounded down", () => {
    expect([0, 999, 1000, 4999, 5000, 20000].map((p) => tierFor(DEFAULT_RULES, p))).toEqual(["novice", "novice", "connoisseur", "connoisseur", "star", "guru"]);
    expect(nextTier(DEFAULT_RULES, 1200)).toEqual({ tier: "star", needed: 3800 });
    expect(nextTier(DEFAULT_RULES, 25000)).toBeUndefined();
    expect(purchasePoints(DEFAULT_RULES, 1999, "novice", "EUR")).toBe(19);
    expect(purchasePoints(DEFAULT_RULES, 1999, "star", "eur")).toBe(29);
    expect(purchasePoints(DEFAULT_RULES, 10000, "guru", "EUR")).toBe(200);
  });

  it("computes points exactly in integers: 5.60 at 3 points per unit × 1.25 is 21, not 20", () => {
    const rules = { ...DEFAULT_RULES, points_per_unit: 3 };
    expect(5.6 * 3 * 1.25).toBeLessThan(21); // what floating point made of it
    expect(purchasePoints(rules, 560, "connoisseur", "EUR")).toBe(21);
    expect(purchasePoints({ ...DEFAULT_RULES, points_per_unit: 0.1 }, 30, "novice", "EUR")).toBe(0); // 0.03 points
    expect(purchasePoints({ ...DEFAULT_RULES, points_per_unit: 0.1 }, 3000, "novice", "EUR")).toBe(3); // 0.1 × 30 = 3.0000000000000004 in floats
    expect(purchasePoints({ ...DEFAULT_RULES, currencies: { JPY: 0.0062 } }, 10_000_000, "novice", "JPY")).toBe(620); // 100,000 JPY
    expect(purchasePoints(DEFAULT_RULES, 2_147_483_647, "guru", "GBP")).toBe(49_392_123); // 21,474,836.47 × 1.15 × 2, past 2^53 in minor units × factors
    expect(() => purchasePoints(DEFAULT_RULES, 100, "novice", "JPY")).toThrow("currency JPY is not in the loyalty rules");
  });

  it("reads a number's decimal digits exactly as written", () => {
    expect(exactDecimal(1.25)).toEqual({ digits: 125n, scale: 2n });
    expect(exactDecimal(3)).toEqual({ digits: 3n, scale: 0n });
    expect(exactDecimal(1e-7)).toEqual({ digits: 1n, scale: 7n });
    expect(exactDecimal(2.5e-8)).toEqual({ digits: 25n, scale: 9n });
    expect(exactDecimal(1e21)).toEqual({ digits: 10n ** 21n, scale: 0n });
  });

  it("checks currencies in the rules file with line and column: 3 capital letters, a positive rate, at least one", () => {
    const lint = (source: string) => lintFlows([{ file: "flows/loyalty.yaml", source }], locales).problems.map(formatProblem);
    expect(lint(shipped.replace("    USD: 0.9\n", "    usd: 0.9\n"))).toEqual([expect.stringMatching(/^flows\/loyalty\.yaml:\d+:\d+: loyalty\.currencies\.usd: "usd" is not a currency code; use 3 capital letters/)]);
    const zero = lint(shipped.replace("PLN: 0.23", "PLN: 0"));
    const line = shipped.split("\n").findIndex((l) => l.includes("PLN: 0.23")) + 1;
    expect(zero).toEqual([expect.stringMatching(new RegExp(`^flows/loyalty\\.yaml:${line}:10: loyalty\\.currencies\\.PLN: `))]);
    expect(lint(shipped.replace(/  currencies:\n(    [A-Z]{3}: [\d.]+\n)+/, "  currencies: {}\n"))).toEqual([expect.stringContaining("list at least one currency")]);
    expect(lint(shipped.replace(/  currencies:\n(    [A-Z]{3}: [\d.]+\n)+/, ""))).toEqual([expect.stringMatching(/^flows\/loyalty\.yaml:\d+:\d+: loyalty\.currencies: /)]);
  });
});
