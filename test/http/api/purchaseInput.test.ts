import { describe, expect, it } from "vitest";
import { InvalidFieldError } from "../../../src/http/api/errors";
import { MAX_AMOUNT_MINOR, parseAmountMinor, parseOccurredAt, parsePurchase, parseRefund } from "../../../src/http/api/purchaseInput";

const NOW = new Date("2024-06-01T12:00:00Z");

function problem(fn: () => unknown): { field: string; kind: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidFieldError) return { field: error.field, kind: error.kind, message: error.message };
    throw error;
  }
  throw new Error("expected an InvalidFieldError");
}

describe("parseAmountMinor", () => {
  it("turns numbers and numeric strings into exact hundredths", () => {
    expect(parseAmountMinor("19.99")).toBe(1999);
    expect(parseAmountMinor(19.99)).toBe(1999); // 19.99 * 100 would be 1998.9999999999998
    expect(parseAmountMinor(0.29)).toBe(29); // 0.29 * 100 = 28.999999999999996
    expect(parseAmountMinor("1.1")).toBe(110);
    expect(parseAmountMinor(" 7 ")).toBe(700);
    expect(parseAmountMinor("007.05")).toBe(705);
    expect(parseAmountMinor("+3")).toBe(300);
    expect(parseAmountMinor((MAX_AMOUNT_MINOR / 100).toFixed(2))).toBe(MAX_AMOUNT_MINOR);
  });

  it("refuses more than 2 decimals, non-numbers, zero, negatives and too much", () => {
    expect(() => parseAmountMinor("12.345")).toThrow('"12.345" has more than 2 decimals; amounts are in currency units, e.g. 19.99');
    expect(() => parseAmountMinor(12.345)).toThrow("more than 2 decimals");
    for (const v of ["abc", "19,99", "1e3", ".5", "5.", "", true, {}, [1]]) expect(() => parseAmountMinor(v)).toThrow(InvalidFieldError);
    expect(() => parseAmountMinor("19,99")).toThrow('"19,99" is not a number; use digits with a dot for decimals, e.g. 19.99');
    expect(() => parseAmountMinor(1e21)).toThrow("is not a number");
    expect(() => parseAmountMinor(-5)).toThrow("must be more than 0, got -5");
    expect(() => parseAmountMinor("0.00")).toThrow("must be more than 0");
    expect(() => parseAmountMinor("-0")).toThrow("must be more than 0");
    expect(() => parseAmountMinor("21474836.48")).toThrow("more than the largest accepted amount, 21474836.47");
    expect(() => parseAmountMinor("99999999999999999999999")).toThrow("more than the largest accepted amount");
  });
});

describe("parseOccurredAt", () => {
  it("accepts ISO 8601 dates (UTC midnight) and date-times with a zone; blank is now", () => {
    expect(parseOccurredAt("2024-05-01", NOW).toISOString()).toBe("2024-05-01T00:00:00.000Z");
    expect(parseOccurredAt("2024-05-01T14:30:00Z", NOW).toISOString()).toBe("2024-05-01T14:30:00.000Z");
    expect(parseOccurredAt("2024-05-01T14:30+02:00", NOW).toISOString()).toBe("2024-05-01T12:30:00.000Z");
    expect(parseOccurredAt("2024-05-01 14:30:00.123456-0130", NOW).toISOString()).toBe("2024-05-01T16:00:00.123Z");
    expect(parseOccurredAt("2024-02-29T00:00:00z", NOW).toISOString()).toBe("2024-02-29T00:00:00.000Z");
    expect(parseOccurredAt(undefined, NOW)).toBe(NOW);
    expect(parseOccurredAt("", NOW)).toBe(NOW);
    expect(parseOccurredAt("2024-06-02T11:00:00Z", NOW).toISOString()).toBe("2024-06-02T11:00:00.000Z"); // within a day ahead
  });

  it("refuses impossible dates, missing zones and more than a day ahead", () => {
    expect(() => parseOccurredAt("2023-02-29", NOW)).toThrow('"2023-02-29" is not a real date and time');
    expect(() => parseOccurredAt("2024-13-01", NOW)).toThrow("is not a real date");
    expect(() => parseOccurredAt("2024-05-01T24:00:00Z", NOW)).toThrow("is not a real date");
    expect(() => parseOccurredAt("2024-05-01T10:00:00", NOW)).toThrow('"2024-05-01T10:00:00" has no time zone; add Z or an offset such as +02:00');
    expect(() => parseOccurredAt("01/05/2024", NOW)).toThrow('"01/05/2024" is not an ISO 8601 date; use ISO 8601, e.g. 2024-05-01T14:30:00Z or 2024-05-01');
    expect(() => parseOccurredAt(1714557600000, NOW)).toThrow("must be a string");
    expect(() => parseOccurredAt("2024-06-02T14:00:01+02:00", NOW)).toThrow("occurredAt: 2024-06-02T12:00:01.000Z is more than a day in the future (server time 2024-06-01T12:00:00.000Z)");
    expect(problem(() => parsePurchase({ customer: "a", orderId: "o", amount: 1, currency: "EUR", occurredAt: "2024-06-03" }, NOW)))
      .toEqual({ field: "occurredAt", kind: "out_of_range", message: "occurredAt: 2024-06-03T00:00:00.000Z is more than a day in the future (server time 2024-06-01T12:00:00.000Z)" });
  });
});

describe("parsePurchase", () => {
  it("validates the whole body and names the first bad field in body order", () => {
    expect(parsePurchase({ customer: " telegram:42 ", orderId: 1001, amount: "5", currency: "usd", occurredAt: "2024-05-01" }, NOW))
      .toEqual({ customer: "telegram:42", orderId: "1001", amountMinor: 500, currency: "USD", occurredAt: new Date("2024-05-01T00:00:00Z"), items: [] });
    expect(problem(() => parsePurchase({}, NOW))).toEqual({ field: "customer", kind: "missing", message: "customer: is required" });
    expect(problem(() => parsePurchase({ customer: "a", orderId: "o", amount: -1, currency: "EURO" }, NOW))).toEqual({ field: "amount", kind: "out_of_range", message: "amount: must be more than 0, got -1" });
    expect(problem(() => parsePurchase({ customer: "a", orderId: "o", amount: 1, currency: "EURO" }, NOW))).toEqual({ field: "currency", kind: "invalid", message: 'currency: must be a 3-letter ISO 4217 code such as EUR, got "EURO"' });
    expect(problem(() => parsePurchase({ customer: 42, orderId: "o", amount: 1, currency: "EUR" }, NOW))).toMatchObject({ field: "customer", message: "customer: must be a string" });
    expect(problem(() => parsePurchase({ customer: "a", orderId: "o".repeat(101), amount: 1, currency: "EUR" }, NOW)).message).toBe("orderId: is 101 characters long; at most 100 are accepted");
    expect(problem(() => parsePurchase({ customer: "a", orderId: 1.5, amount: 1, currency: "EUR" }, NOW)).field).toBe("orderId");
    expect(problem(() => parsePurchase(null, NOW))).toEqual({ field: "body", kind: "invalid", message: "body: must be a JSON object" });
    expect(problem(() => parsePurchase("x", NOW)).field).toBe("body");
  });
});

describe("parsePurchase items (issue 19)", () => {
  const order = (items: unknown) => ({ customer: "a", orderId: "o", amount: "30", currency: "EUR", items });

  it("takes the order's lines: sku (or a whole number), name, quantity and a unitPrice like amount, free items included", () => {
    expect(parsePurchase(order([
      { sku: " TEA-1 ", name: " Green tea ", quantity: 2, unitPrice: "9.99" },
      { sku: 4711, name: "Cup", quantity: "1", unitPrice: 10.01 },
      { sku: "GIFT", name: "Sample", quantity: 1, unitPrice: "0" },
    ]), NOW).items).toEqual([
      { sku: "TEA-1", name: "Green tea", quantity: 2, unitPriceMinor: 999 },
      { sku: "4711", name: "Cup", quantity: 1, unitPriceMinor: 1001 },
      { sku: "GIFT", name: "Sample", quantity: 1, unitPriceMinor: 0 },
    ]);
    expect(parsePurchase(order([]), NOW).items).toEqual([]);
    expect(parsePurchase(order(null), NOW).items).toEqual([]);
  });

  it("names the bad field by its path: items[1].quantity, 400 for malformed and 422 for out of range", () => {
    const line = { sku: "S", name: "N", quantity: 1, unitPrice: "1.00" };
    expect(problem(() => parsePurchase(order([line, { ...line, quantity: 0 }]), NOW))).toEqual({ field: "items[1].quantity", kind: "out_of_range", message: "items[1].quantity: must be 1 or more, got 0" });
    expect(problem(() => parsePurchase(order([{ ...line, quantity: 1.5 }]), NOW))).toEqual({ field: "items[0].quantity", kind: "invalid", message: "items[0].quantity: must be a whole number such as 2, got 1.5" });
    expect(problem(() => parsePurchase(order([{ ...line, quantity: 1_000_001 }]), NOW)).message).toBe("items[0].quantity: 1000001 is more than the largest accepted quantity, 1000000");
    expect(problem(() => parsePurchase(order([{ ...line, unitPrice: "9.999" }]), NOW))).toMatchObject({ field: "items[0].unitPrice", kind: "invalid" });
    expect(problem(() => parsePurchase(order([{ ...line, unitPrice: "-1" }]), NOW))).toEqual({ field: "items[0].unitPrice", kind: "out_of_range", message: "items[0].unitPrice: must be 0 or more, got -1" });
    expect(problem(() => parsePurchase(order([{ ...line, sku: "" }]), NOW))).toEqual({ field: "items[0].sku", kind: "missing", message: "items[0].sku: is required" });
    expect(problem(() => parsePurchase(order([{ sku: "S", quantity: 1, unitPrice: 1 }]), NOW))).toEqual({ field: "items[0].name", kind: "missing", message: "items[0].name: is required" });
    expect(problem(() => parsePurchase(order([{ ...line, name: "x".repeat(201) }]), NOW)).message).toBe("items[0].name: is 201 characters long; at most 200 are accepted");
    expect(problem(() => parsePurchase(order([{ ...line, price: 1 }]), NOW))).toEqual({
      field: "items[0].price", kind: "unknown", message: "items[0].price: unknown field; accepted fields: sku, name, quantity, unitPrice",
    });
    expect(problem(() => parsePurchase(order([{ ...line, name: "Tea\u0000" }]), NOW)).field).toBe("items[0].name");
    expect(problem(() => parsePurchase(order({ sku: "S" }), NOW))).toEqual({ field: "items", kind: "invalid", message: "items: must be a JSON array" });
    expect(problem(() => parsePurchase(order(["S"]), NOW))).toEqual({ field: "items[0]", kind: "invalid", message: "items[0]: must be a JSON object" });
    expect(problem(() => parsePurchase(order(Array.from({ length: 201 }, () => line)), NOW)).message).toBe("items: has 201 entries; at most 200 are accepted");
  });
});

describe("what no field may hold", () => {
  it("refuses unknown fields by name, with a did-you-mean, before checking the others", () => {
    expect(problem(() => parseRefund({ orderId: "A1", amount: 5, refundID: "r2" }))).toEqual({
      field: "refundID", kind: "unknown", message: "refundID: unknown field (did you mean refundId?); accepted fields: orderId, amount, refundId",
    });
    expect(problem(() => parsePurchase({ customer: "a", orderId: "o", amount: 1, currency: "EUR", note: "gift", shop: 2 }, NOW))).toEqual({
      field: "note", kind: "unknown", message: "note: unknown field; also unknown: shop; accepted fields: customer, orderId, amount, currency, occurredAt, items",
    });
    expect(problem(() => parsePurchase({ customer: "a", order_id: "o", amount: 1, currency: "EUR" }, NOW)).message).toContain("(did you mean orderId?)");
  });

  it("refuses NUL and lone surrogates in any string, naming the field", () => {
    expect(problem(() => parsePurchase({ customer: "a", orderId: "A\u00001", amount: 1, currency: "EUR" }, NOW))).toEqual({
      field: "orderId", kind: "invalid", message: "orderId: contains a NUL character (U+0000) at position 1; send plain UTF-8 text without control characters",
    });
    expect(problem(() => parsePurchase({ customer: "shop:\ud83d", orderId: "o", amount: 1, currency: "EUR" }, NOW)).message).toBe("customer: contains a lone surrogate (U+D83D) at position 5; send plain UTF-8 text without control characters");
    expect(problem(() => parsePurchase({ customer: "a", orderId: "o", amount: "1\udc00", currency: "EUR" }, NOW)).field).toBe("amount");
    expect(problem(() => parseRefund({ orderId: "A1", amount: 1, refundId: "\u0000" })).field).toBe("refundId");
    expect(problem(() => parseRefund({ orderId: "A1", amount: 1, "x\u0000": 1 })).message).toBe('["x\\u0000"]: contains a NUL character (U+0000) in its name at position 1; send plain UTF-8 text without control characters');
    expect(parsePurchase({ customer: "shop:🎉", orderId: "Zoë", amount: 1, currency: "EUR" }, NOW)).toMatchObject({ customer: "shop:🎉", orderId: "Zoë" }); // pairs are fine
  });

  it("refuses occurredAt before 2000-01-01 (422), such as a shop's 0001-01-01 placeholder", () => {
    expect(problem(() => parsePurchase({ customer: "a", orderId: "o", amount: 1, currency: "EUR", occurredAt: "0001-01-01" }, NOW))).toEqual({
      field: "occurredAt", kind: "out_of_range", message: "occurredAt: 0001-01-01T00:00:00.000Z is before 2000-01-01, the earliest date accepted; send the date the purchase was made",
    });
    expect(() => parseOccurredAt("1999-12-31T23:59:59Z", NOW)).toThrow("is before 2000-01-01");
    expect(parseOccurredAt("2000-01-01", NOW).toISOString()).toBe("2000-01-01T00:00:00.000Z");
  });
});

describe("parseRefund", () => {
  it("needs orderId and a positive amount; refundId is optional", () => {
    expect(parseRefund({ orderId: "A1", amount: "10.5" })).toEqual({ orderId: "A1", amountMinor: 1050 });
    expect(parseRefund({ orderId: "A1", amount: 1, refundId: "r-1" })).toEqual({ orderId: "A1", amountMinor: 100, refundId: "r-1" });
    expect(problem(() => parseRefund({ amount: 1 }))).toEqual({ field: "orderId", kind: "missing", message: "orderId: is required" });
    expect(problem(() => parseRefund({ orderId: "A1", amount: 0 })).kind).toBe("out_of_range");
    expect(problem(() => parseRefund({ orderId: "A1", amount: 1, refundId: {} })).field).toBe("refundId");
  });
});
