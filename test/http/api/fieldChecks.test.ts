/**
 * The request-body checker the purchases API and CSV import share: paths for nested fields (so the
 * purchase `items` to come can say `items[1].quantity`), unknown fields, and text no column can hold.
 */
import { describe, expect, it } from "vitest";
import { InvalidFieldError } from "../../../src/http/api/errors";
import { checkBody, fail, formatFieldPath, listOf, objectOf, optional, type Check } from "../../../src/http/api/fieldChecks";

const quantity: Check<number> = (v) => (Number.isInteger(v) && (v as number) > 0 ? (v as number) : fail("out_of_range", `must be a whole number above 0, got ${JSON.stringify(v)}`));
const sku: Check<string> = (v) => (typeof v === "string" && v !== "" ? v : fail("missing", "is required"));
const order = objectOf({ orderId: sku, items: optional(listOf(objectOf({ sku, quantity }), 3)) });

function refusal(body: unknown): { field: string; kind: string; message: string } {
  try {
    checkBody(order, body);
  } catch (error) {
    if (error instanceof InvalidFieldError) return { field: error.field, kind: error.kind, message: error.message };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("checkBody", () => {
  it("converts a valid nested body", () => {
    expect(checkBody(order, { orderId: "A", items: [{ sku: "tea", quantity: 2 }] })).toEqual({ orderId: "A", items: [{ sku: "tea", quantity: 2 }] });
    expect(checkBody(order, { orderId: "A" })).toEqual({ orderId: "A", items: undefined });
  });

  it("names nested fields by path: items[1].quantity", () => {
    expect(refusal({ orderId: "A", items: [{ sku: "tea", quantity: 1 }, { sku: "cup", quantity: 0 }] })).toEqual({ field: "items[1].quantity", kind: "out_of_range", message: "items[1].quantity: must be a whole number above 0, got 0" });
    expect(refusal({ orderId: "A", items: [{ sku: "tea", quantity: 1, qty: 2 }] })).toMatchObject({ field: "items[0].qty", kind: "unknown" });
    expect(refusal({ orderId: "A", items: [{ sku: "tea\u0000", quantity: 1 }] })).toMatchObject({ field: "items[0].sku", kind: "invalid" });
    expect(refusal({ orderId: "A", items: "tea" })).toEqual({ field: "items", kind: "invalid", message: "items: must be a JSON array" });
    expect(refusal({ orderId: "A", items: [1, 2, 3, 4] })).toMatchObject({ field: "items", message: "items: has 4 entries; at most 3 are accepted" });
    expect(refusal({ orderId: "A", items: [null] })).toEqual({ field: "items[0]", kind: "invalid", message: "items[0]: must be a JSON object" });
    expect(refusal([])).toEqual({ field: "body", kind: "invalid", message: "body: must be a JSON object" });
  });

  it("formats paths readably, quoting keys that are not identifiers", () => {
    expect(formatFieldPath([])).toBe("body");
    expect(formatFieldPath(["items", 0, "quantity"])).toBe("items[0].quantity");
    expect(formatFieldPath(["a b", 2])).toBe('["a b"][2]');
  });
});
