import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { ApiError } from "./errors";

const CHALLENGE = { "www-authenticate": 'Bearer realm="rapport"' };

/**
 * Checks `Authorization: Bearer <key>` against the configured key. Both sides are hashed first, so
 * the comparison takes the same time whatever the key's length or how much of it matches; the key
 * is never put in an error or a log line. Throws ApiError 401 when the header is missing or wrong.
 */
export function bearerAuth(apiKey: string): (req: IncomingMessage) => void {
  const expected = digest(apiKey);
  return (req) => {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) {
      throw new ApiError(401, "unauthorized", "send the API key in the header Authorization: Bearer <RAPPORT_API_KEY>", "authorization", CHALLENGE);
    }
    if (!timingSafeEqual(digest(match[1]!), expected)) {
      throw new ApiError(401, "unauthorized", "the API key is wrong; use the value of RAPPORT_API_KEY on the server", "authorization", CHALLENGE);
    }
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
