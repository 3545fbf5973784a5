import type { IncomingMessage } from "node:http";
import { ApiError, InvalidFieldError } from "./errors";
import { BodyTooLargeError, readBodyText } from "../readBodyText";

/** The largest request body the API reads: a purchase is a few hundred bytes. */
export const MAX_BODY_BYTES = 1_048_576;

/**
 * Reads and parses a JSON request body, refusing more than `limit` bytes (413, before reading when
 * Content-Length says so) so a client cannot make the server buffer without bound. Empty or
 * malformed JSON is an InvalidFieldError on field "body" (400).
 */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  let text: string;
  try {
    text = await readBodyText(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new ApiError(413, "body_too_large", `the request body is larger than ${limit} bytes`, "body", { connection: "close" });
    throw error;
  }
  if (text.trim() === "") throw new InvalidFieldError("body", "is empty; send a JSON object with Content-Type: application/json", "missing");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidFieldError("body", `is not valid JSON (${(error as Error).message})`, "invalid");
  }
}
