import { describe, expect, it } from "vitest";
import { ContactNotFoundError, DatabaseUnavailableError } from "../../../src/core/errors";
import { ApiError, InvalidFieldError } from "../../../src/http/api/errors";
import { toApiError } from "../../../src/http/api/toApiError";
import { UnsupportedCurrencyError } from "../../../src/loyalty/errors";
import { OrderConflictError, RefundError } from "../../../src/loyalty/Purchases";

describe("API errors", () => {
  it("InvalidFieldError names the field and maps its kind to 400 or 422", () => {
    const missing = new InvalidFieldError("amount", "is required", "missing");
    expect(missing.message).toBe("amount: is required");
    expect(missing.code).toBe("rapport_field_invalid");
    expect([missing.status, missing.apiCode]).toEqual([400, "missing_field"]);
    expect([new InvalidFieldError("amount", "x", "invalid").status, new InvalidFieldError("amount", "x", "invalid").apiCode]).toEqual([400, "invalid_field"]);
    expect([new InvalidFieldError("amount", "x", "out_of_range").status, new InvalidFieldError("amount", "x", "out_of_range").apiCode]).toEqual([422, "out_of_range"]);
    expect([new InvalidFieldError("refundID", "x", "unknown").status, new InvalidFieldError("refundID", "x", "unknown").apiCode]).toEqual([400, "unknown_field"]);
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
    expect(toApiError(new UnsupportedCurrencyError("JPY", ["EUR"]))).toMatchObject({ status: 422, apiCode: "unsupported_currency", field: "currency", message: "currency: JPY is not accepted; purchases may be in EUR (the currencies in flows/loyalty.yaml)" });
    expect(toApiError(new Error("boom"))).toBeUndefined();
  });

  it("toApiError answers 503 with Retry-After for failures a retry can outlast, not 500", () => {
    const unreachable = Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { code: "P1001" });
    const timedOut = Object.assign(new Error("Operations timed out"), { code: "P1008" });
    const adapter = Object.assign(new Error("x"), { code: "P2010", meta: { driverAdapterError: { cause: { kind: "ConnectionClosed" } } } });
    const busy = Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
    const refused = new Error("outer", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    for (const e of [unreachable, timedOut, adapter, busy, refused]) {
      expect(toApiError(e)).toMatchObject({ status: 503, apiCode: "database_unavailable", headers: { "retry-after": "5" } });
    }
    expect(toApiError(Object.assign(new Error("unique"), { code: "P2002" }))).toBeUndefined();
  });
});
