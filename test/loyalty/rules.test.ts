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
import { DEFAULT_RULES, nextTier, purchasePoints, tierFor } from "../../src/loyalty/rules";
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
    expect(purchasePoints(DEFAULT_RULES, 1999, "novice")).toBe(19);
    expect(purchasePoints(DEFAULT_RULES, 1999, "star")).toBe(29);
    expect(purchasePoints(DEFAULT_RULES, 10000, "guru")).toBe(200);
  });
});
