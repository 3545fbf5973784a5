/**
 * The webhook adapter for node:http (src/channels/telegram/webhookAdapter.ts), served by a real
 * server on 127.0.0.1 in this file: a valid update is read; non-JSON, non-updates and oversized
 * bodies are refused with WebhookPayloadError (400/413); the secret header is exposed; and
 * `unauthorized()` answers 401 and reports the refusal.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { limitedHttpAdapter, WEBHOOK_MAX_BYTES, WebhookPayloadError } from "../../../src/channels/telegram/webhookAdapter";

/** What the handler saw for the last request: the update or the error, and the secret header. */
let outcome: { update?: unknown; error?: unknown; header?: string } = {};
let refusals = 0;
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const adapter = limitedHttpAdapter(req, res, () => refusals++);
    if (req.url === "/refuse") return adapter.unauthorized();
    try {
      const update = await adapter.update;
      outcome = { update, header: adapter.header };
      adapter.respond(JSON.stringify({ ok: true }));
    } catch (error) {
      outcome = { error, header: adapter.header };
      const status = error instanceof WebhookPayloadError ? error.status : 500;
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error: (error as Error).message }));
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  outcome = {};
  refusals = 0;
});

const post = (body: string, headers: Record<string, string> = {}, path = "/") =>
  fetch(`${base}${path}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });

/** The error the handler caught, checked to be a WebhookPayloadError with this status. */
function expectPayloadError(status: number): WebhookPayloadError {
  expect(outcome.error).toBeInstanceOf(WebhookPayloadError);
  const error = outcome.error as WebhookPayloadError;
  expect(error.status).toBe(status);
  expect(error.code).toBe("rapport_telegram_webhook_payload");
  return error;
}

describe("limitedHttpAdapter", () => {
  it("reads a JSON update and answers with the given JSON", async () => {
    const update = { update_id: 812, message: { message_id: 42, date: 1740830400, chat: { id: 1, type: "private" }, text: "hi" } };
    const res = await post(JSON.stringify(update));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ ok: true });
    expect(outcome).toEqual({ update, header: undefined });
  });

  it("exposes the secret-token header", async () => {
    await post(JSON.stringify({ update_id: 1 }), { "X-Telegram-Bot-Api-Secret-Token": "s3cr3t_token-1" });
    expect(outcome.header).toBe("s3cr3t_token-1");
  });

  it("refuses a body that is not JSON with 400", async () => {
    const res = await post("update_id=1");
    expect(res.status).toBe(400);
    expect(expectPayloadError(400).message).toBe("Telegram webhook: request body is not JSON");
  });

  it("refuses JSON without an integer update_id with 400", async () => {
    for (const body of ['{"message":{}}', '{"update_id":"812"}', '{"update_id":1.5}', "null", "[1]"]) {
      outcome = {};
      const res = await post(body);
      expect(res.status, body).toBe(400);
      expect(expectPayloadError(400).message).toBe("Telegram webhook: request body is not a Telegram update (no integer update_id)");
    }
  });

  it("refuses a body over WEBHOOK_MAX_BYTES with 413, and still answers afterwards", async () => {
    const big = `{"update_id":1,"pad":"${"x".repeat(WEBHOOK_MAX_BYTES)}"}`;
    expect(Buffer.byteLength(big)).toBeGreaterThan(WEBHOOK_MAX_BYTES);
    const res = await post(big);
    expect(res.status).toBe(413);
    expect(expectPayloadError(413).message).toBe(`Telegram webhook: request body is over ${WEBHOOK_MAX_BYTES} bytes`);

    const next = await post(JSON.stringify({ update_id: 2 }));
    expect(next.status).toBe(200);
    expect(outcome.update).toEqual({ update_id: 2 });
  });

  it("accepts a body of exactly WEBHOOK_MAX_BYTES", async () => {
    const head = '{"update_id":3,"pad":"';
    const body = `${head}${"x".repeat(WEBHOOK_MAX_BYTES - head.length - 2)}"}`;
    expect(Buffer.byteLength(body)).toBe(WEBHOOK_MAX_BYTES);
    const res = await post(body);
    expect(res.status).toBe(200);
    expect((outcome.update as { update_id: number }).update_id).toBe(3);
  });

  it("answers 401 on unauthorized() and reports it", async () => {
    const res = await post(JSON.stringify({ update_id: 4 }), { "X-Telegram-Bot-Api-Secret-Token": "wrong" }, "/refuse");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "unauthorized", message: "secret token is wrong" });
    expect(refusals).toBe(1);
    expect(outcome).toEqual({}); // the body was never read as an update
  });
});
