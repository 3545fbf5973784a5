import type { IncomingMessage } from "node:http";

/** The body was larger than the route accepts; the rest was discarded. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body is over ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * Reads a request body as UTF-8 text, refusing more than `limit` bytes (before reading when
 * Content-Length says so), so a client cannot make the server buffer without bound. Shared by the
 * HTTP API and the Telegram webhook; each turns the refusal into its own answer.
 */
export async function readBodyText(req: IncomingMessage, limit: number): Promise<string> {
  if (Number(req.headers["content-length"] ?? 0) > limit) {
    req.resume(); // discard; the caller answers and the connection is closed
    throw new BodyTooLargeError(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new BodyTooLargeError(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
