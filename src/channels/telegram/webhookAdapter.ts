import type { IncomingMessage, ServerResponse } from "node:http";
import type { Update } from "grammy/types";
import { RapportError } from "../../core/errors";
import { BodyTooLargeError, readBodyText } from "../../http/readBodyText";

/** Telegram's updates are a few kilobytes; anything near this is not from Telegram. */
export const WEBHOOK_MAX_BYTES = 1024 * 1024;

/** A webhook request whose body is not an update (too large, not JSON, no update_id). Answered 400/413. */
export class WebhookPayloadError extends RapportError {
  readonly code = "rapport_telegram_webhook_payload";
  constructor(readonly status: 400 | 413, problem: string) {
    super(`Telegram webhook: ${problem}`);
  }
}

/**
 * grammY's webhook adapter for node:http, with two limits the stock one lacks: the body is capped
 * (a forged request cannot make us buffer gigabytes) and must be an update object. grammY's
 * `webhookCallback` reads it only after the secret header matched, so a forged request with a wrong
 * secret is refused before its body is read.
 */
export function limitedHttpAdapter(req: IncomingMessage, res: ServerResponse, onUnauthorized: () => void) {
  const header = req.headers["x-telegram-bot-api-secret-token"];
  return {
    get update(): Promise<Update> {
      return readUpdate(req);
    },
    header: Array.isArray(header) ? header[0] : header,
    end: () => res.end(),
    respond: (json: string) => res.writeHead(200, { "content-type": "application/json" }).end(json),
    unauthorized: () => {
      onUnauthorized();
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "unauthorized", message: "secret token is wrong" }));
    },
  };
}

async function readUpdate(req: IncomingMessage): Promise<Update> {
  let text: string;
  try {
    text = await readBodyText(req, WEBHOOK_MAX_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new WebhookPayloadError(413, error.message);
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WebhookPayloadError(400, "request body is not JSON");
  }
  const id = (parsed as { update_id?: unknown } | null)?.update_id;
  if (typeof parsed !== "object" || parsed === null || !Number.isSafeInteger(id)) throw new WebhookPayloadError(400, "request body is not a Telegram update (no integer update_id)");
  return parsed as Update;
}
