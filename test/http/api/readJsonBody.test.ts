import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ApiError, InvalidFieldError } from "../../../src/http/api/errors";
import { readJsonBody } from "../../../src/http/api/readJsonBody";

const req = (chunks: string[], headers: Record<string, string> = {}) => Object.assign(Readable.from(chunks.map((c) => Buffer.from(c))), { headers }) as unknown as IncomingMessage;

describe("readJsonBody", () => {
  it("parses JSON sent in several chunks", async () => {
    expect(await readJsonBody(req(['{"a":', ' "é"}']))).toEqual({ a: "é" });
  });

  it("refuses empty and malformed bodies on field body", async () => {
    await expect(readJsonBody(req([" \n"]))).rejects.toThrow(new InvalidFieldError("body", "is empty; send a JSON object with Content-Type: application/json", "missing"));
    const error = await readJsonBody(req(["{nope"])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidFieldError);
    expect((error as InvalidFieldError).message).toMatch(/^body: is not valid JSON \(/);
  });

  it("refuses more than the limit, by Content-Length or while reading", async () => {
    const declared = await readJsonBody(req(["{}"], { "content-length": "2000" }), 1000).catch((e: unknown) => e);
    expect(declared).toBeInstanceOf(ApiError);
    expect((declared as ApiError).body()).toEqual({ error: "body_too_large", field: "body", message: "the request body is larger than 1000 bytes" });
    expect((declared as ApiError).status).toBe(413);
    const streamed = await readJsonBody(req(["x".repeat(600), "x".repeat(600)]), 1000).catch((e: unknown) => e);
    expect((streamed as ApiError).status).toBe(413);
  });
});
