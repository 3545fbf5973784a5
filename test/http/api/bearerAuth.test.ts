import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { bearerAuth } from "../../../src/http/api/bearerAuth";
import { ApiError } from "../../../src/http/api/errors";
import { FailedAuthLimiter } from "../../../src/http/api/FailedAuthLimiter";

const req = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;

function refusal(check: (r: IncomingMessage) => void, r: IncomingMessage): ApiError {
  try {
    check(r);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("bearerAuth", () => {
  // A fresh limiter per check: these refusals come from one (absent) address and would hit its limit.
  const check = (r: IncomingMessage) => bearerAuth("s3cret-key", new FailedAuthLimiter())(r);

  it("lets the right key through, whatever the scheme's case", () => {
    expect(() => check(req("Bearer s3cret-key"))).not.toThrow();
    expect(() => check(req("bearer   s3cret-key "))).not.toThrow();
  });

  it("refuses a missing or malformed header with a hint, and a wrong key without echoing either key", () => {
    for (const h of [undefined, "s3cret-key", "Basic s3cret-key", "Bearer", "Bearer a b"]) {
      const e = refusal(check, req(h));
      expect(e.body()).toEqual({ error: "unauthorized", field: "authorization", message: "send the API key in the header Authorization: Bearer <RAPPORT_API_KEY>" });
      expect(e.status).toBe(401);
      expect(e.headers).toEqual({ "www-authenticate": 'Bearer realm="rapport"' });
    }
    for (const h of ["Bearer s3cret-kez", "Bearer s3cret-key-longer", "Bearer x"]) {
      const e = refusal(check, req(h));
      expect(e.message).toBe("the API key is wrong; use the value of RAPPORT_API_KEY (or a key of RAPPORT_API_KEYS) on the server");
      expect(e.message).not.toContain("s3cret");
    }
  });
});
