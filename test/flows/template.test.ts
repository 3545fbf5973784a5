import { describe, expect, it } from "vitest";
import { fillTemplate, readPath } from "../../src/flows/template";
import type { ContactView } from "../../src/flows/types";

const contact: ContactView = { id: "c1", displayName: "Ann", username: null, locale: "pl", points: 120, tier: "star", segment: null, attributes: {} };
const scope = { vars: { amount: 50, ok: false, list: [1, 2], user: { name: "Bob", address: { city: "Kraków" } }, zero: 0 }, contact };

describe("readPath", () => {
  it("reads vars and contact fields, nested", () => {
    expect(readPath(scope, "vars.user.address.city")).toBe("Kraków");
    expect(readPath(scope, "contact.points")).toBe(120);
    expect(readPath(scope, " vars.amount ")).toBe(50);
  });

  it("is undefined for missing paths, also through a scalar", () => {
    expect(readPath(scope, "vars.user.phone")).toBeUndefined();
    expect(readPath(scope, "vars.amount.value")).toBeUndefined();
    expect(readPath(scope, "vars.nothing.deeper")).toBeUndefined();
  });
});

describe("fillTemplate", () => {
  it("keeps the type of a value when the string is exactly one placeholder", () => {
    expect(fillTemplate("{{vars.amount}}", scope)).toBe(50);
    expect(fillTemplate("{{ vars.ok }}", scope)).toBe(false);
    expect(fillTemplate("{{vars.zero}}", scope)).toBe(0);
    expect(fillTemplate("{{vars.list}}", scope)).toEqual([1, 2]);
    expect(fillTemplate("{{vars.user}}", scope)).toEqual({ name: "Bob", address: { city: "Kraków" } });
    expect(fillTemplate("{{contact.segment}}", scope)).toBeNull();
  });

  it("interpolates placeholders inside a longer string", () => {
    expect(fillTemplate("{{vars.user.name}} from {{ vars.user.address.city }} has {{contact.points}} points", scope)).toBe("Bob from Kraków has 120 points");
    expect(fillTemplate("total: {{vars.amount}}", scope)).toBe("total: 50");
    expect(fillTemplate("{{vars.amount}}{{vars.zero}}", scope)).toBe("500");
  });

  it("writes a missing value as empty text inside a string and undefined on its own", () => {
    expect(fillTemplate("Hi {{vars.nobody}}!", scope)).toBe("Hi !");
    expect(fillTemplate("{{contact.segment}}-x", scope)).toBe("-x");
    expect(fillTemplate("{{vars.nobody}}", scope)).toBeUndefined();
  });

  it("fills nested objects and arrays and leaves other values alone", () => {
    expect(fillTemplate({ points: "{{vars.amount}}", meta: { who: "{{contact.displayName}}", tags: ["{{contact.tier}}", "fixed", 3, true, null] } }, scope)).toEqual({
      points: 50, meta: { who: "Ann", tags: ["star", "fixed", 3, true, null] },
    });
  });

  it("leaves text without placeholders, and malformed braces, unchanged", () => {
    expect(fillTemplate("plain", scope)).toBe("plain");
    expect(fillTemplate("{vars.amount}", scope)).toBe("{vars.amount}");
    expect(fillTemplate("{{vars.amount", scope)).toBe("{{vars.amount");
  });

  it("does not change its input", () => {
    const input = { a: ["{{vars.amount}}"] };
    fillTemplate(input, scope);
    expect(input).toEqual({ a: ["{{vars.amount}}"] });
  });
});
