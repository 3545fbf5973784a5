import { describe, expect, it } from "vitest";
import { ContactNotFoundError, DatabaseUnavailableError } from "../../../src/core/errors";
import { ApiError, InvalidFieldError } from "../../../src/http/api/errors";
import { toApiError } from "../../../src/http/api/toApiError";
import { OrderConflictError, RefundError } from "../../../src/loyalty/Purchases";

describe("API errors", () => {
  it("InvalidFieldError names the field and maps its kind to 400 or 422", () => {
    const missing = new InvalidFieldError("amount", "is required", "missing");
    expect(missing.message).toBe("amount: is required");
    expect(missing.code).toBe("rapport_field_invalid");
    expect([missing.status, missing.apiCode]).toEqual([400, "missing_field"]);
    expect([new InvalidFieldError("amount", "x", "invalid").status, new InvalidFieldError("amount", "x", "invalid").apiCode]).toEqual([400, "invalid_field"]);
    expect([new InvalidFieldError("amount", "x", "out_of_range").status, new InvalidFieldError("amount", "x", "out_of_range").apiCode]).toEqual([422, "out_of_range"]);
  });

  it("ApiError's body has the field only when there is one", () => {
    expect(new ApiError(503, "api_disabled", "set RAPPORT_API_KEY to enable the API").body()).toEqual({ error: "api_disabled", message: "set RAPPORT_API_KEY to enable the API" });
    const e = new ApiError(404, "unknown_customer", "no contact", "customer");
    expect(e.body()).toEqual({ error: "unknown_customer", field: "customer", message: "no contact" });
    expect(e.message).toBe("no contact");
    expect(e.code).toBe("rapport_api_refused");
  });

  it("toApiError maps the domain's refusals and leaves real faults alone", () => {
    expect(toApiError(new InvalidFieldError("currency", "bad", "invalid"))?.body()).toEqual({ error: "invalid_field", field: "currency", message: "currency: bad" });
    expect(toApiError(new ContactNotFoundError("shop:x"))).toMatchObject({ status: 404, apiCode: "unknown_customer", field: "customer" });
    expect(toApiError(new OrderConflictError("A1", "was already recorded"))).toMatchObject({ status: 409, apiCode: "order_conflict", field: "orderId", message: "order A1: was already recorded" });
    expect(toApiError(new RefundError("orderId", "no purchase"))).toMatchObject({ status: 404, apiCode: "unknown_order", field: "orderId" });
    expect(toApiError(new RefundError("amount", "too much"))).toMatchObject({ status: 422, apiCode: "refund_refused", field: "amount", message: "amount: too much" });
    expect(toApiError(new DatabaseUnavailableError(3, new Error("down")))).toMatchObject({ status: 503, apiCode: "database_unavailable", headers: { "retry-after": "5" } });
    expect(toApiError(new Error("boom"))).toBeUndefined();
  });
});
