import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { ApiError } from "./errors";
import { FailedAuthLimiter } from "./FailedAuthLimiter";
import type { ApiKey, ApiScope } from "./scopes";

const CHALLENGE = { "www-authenticate": 'Bearer realm="rapport"' };

/** A request was authenticated with a key that lacks the endpoint's scope; the body names the scope. */
export class MissingScopeError extends ApiError {
  constructor(readonly keyName: string, readonly scope: ApiScope) {
    super(403, "missing_scope", `the API key "${keyName}" does not have the scope "${scope}" this endpoint needs; add it to the key in RAPPORT_API_KEYS, or use a key that has it`, "authorization");
  }

  override body() {
    return { ...super.body(), scope: this.scope };
  }
}

/**
 * Checks `Authorization: Bearer <key>` against the configured keys and returns the one that matched.
 * Every key is compared (hashed first, so in the same time whatever the length or how much matches);
 * keys are never put in an error or a log line, only their names. Failed attempts are counted per
 * client address and answered 429 once too many (FailedAuthLimiter). Throws ApiError 401 otherwise.
 */
export function bearerAuth(keys: ApiKey[] | string, limiter = new FailedAuthLimiter()): (req: IncomingMessage) => ApiKey {
  const list: ApiKey[] = typeof keys === "string" ? [{ name: "default", scopes: new Set(["purchases", "read", "export", "erase", "campaigns"] as const), key: keys }] : keys;
  const expected = list.map((k) => ({ key: k, digest: digest(k.key) }));
  return (req) => {
    const address = req.socket?.remoteAddress ?? "unknown";
    limiter.check(address);
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) {
      limiter.fail(address);
      throw new ApiError(401, "unauthorized", "send the API key in the header Authorization: Bearer <RAPPORT_API_KEY>", "authorization", CHALLENGE);
    }
    const given = digest(match[1]!);
    let found: ApiKey | undefined;
    for (const e of expected) if (timingSafeEqual(given, e.digest) && !found) found = e.key; // no early exit: same time for every key
    if (!found) {
      limiter.fail(address);
      throw new ApiError(401, "unauthorized", "the API key is wrong; use the value of RAPPORT_API_KEY (or a key of RAPPORT_API_KEYS) on the server", "authorization", CHALLENGE);
    }
    limiter.succeed(address);
    return found;
  };
}

/** Throws 403 naming the missing scope unless `key` has `scope`. */
export function requireScope(key: ApiKey, scope: ApiScope): void {
  if (!key.scopes.has(scope)) throw new MissingScopeError(key.name, scope);
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
