import type { IncomingMessage, ServerResponse } from "node:http";
import type { Update } from "grammy/types";
import { RapportError } from "../../core/errors";

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

function readUpdate(req: IncomingMessage): Promise<Update> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= WEBHOOK_MAX_BYTES) chunks.push(chunk);
      else reject(new WebhookPayloadError(413, `request body is over ${WEBHOOK_MAX_BYTES} bytes`)); // the rest is read and dropped
    });
    req.once("error", reject);
    req.once("end", () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return reject(new WebhookPayloadError(400, "request body is not JSON"));
      }
      const id = (parsed as { update_id?: unknown } | null)?.update_id;
      if (typeof parsed !== "object" || parsed === null || !Number.isSafeInteger(id)) return reject(new WebhookPayloadError(400, "request body is not a Telegram update (no integer update_id)"));
      resolve(parsed as Update);
    });
  });
}
