import type { IncomingMessage } from "node:http";
import { readBodyText } from "../../http/readBodyText";

/** The largest console form or JSON body read (a ticket reply is the longest thing typed). */
export const MAX_FORM_BYTES = 64 * 1024;

/**
 * Reads a console request's body as name → value: a form (application/x-www-form-urlencoded) or a
 * JSON object of strings (the console's script posts JSON). Anything else is empty.
 */
export async function readForm(req: IncomingMessage): Promise<Map<string, string>> {
  const type = String(req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  const text = await readBodyText(req, MAX_FORM_BYTES);
  const out = new Map<string, string>();
  if (type === "application/x-www-form-urlencoded") {
    for (const [k, v] of new URLSearchParams(text)) out.set(k, v);
  } else if (type === "application/json" && text.trim() !== "") {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) for (const [k, v] of Object.entries(parsed)) if (typeof v === "string") out.set(k, v);
  }
  return out;
}
