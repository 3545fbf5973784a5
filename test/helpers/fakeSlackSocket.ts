import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/**
 * Slack's Socket Mode server side, on the fake's HTTP server: the WebSocket handshake and text,
 * ping and close frames (RFC 6455, enough for @slack/socket-mode's client), a `hello` on connect,
 * and envelopes (`events_api`, `interactive`) whose acknowledgements tests can await. Node 20 has
 * a WebSocket client but no server, and a dependency for this alone would be heavier than this file.
 */
export class FakeSocketMode {
  private readonly sockets = new Set<Duplex>();
  private readonly waiting = new Map<string, (ack: Record<string, unknown>) => void>();

  /** Open connections. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Completes the WebSocket handshake of an upgrade request and greets the client. */
  accept(req: IncomingMessage, socket: Duplex): void {
    const key = req.headers["sec-websocket-key"];
    if (typeof key !== "string") return void socket.destroy();
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => this.sockets.delete(socket));
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (let frame = readFrame(buffer); frame; frame = readFrame(buffer)) {
        buffer = buffer.subarray(frame.length);
        if (frame.opcode === 0x8) { socket.end(frameOf(0x8, Buffer.alloc(0))); continue; }
        if (frame.opcode === 0x9) { socket.write(frameOf(0xa, frame.payload)); continue; }
        if (frame.opcode !== 0x1) continue;
        const message = JSON.parse(frame.payload.toString("utf8")) as Record<string, unknown>;
        const resolve = this.waiting.get(message.envelope_id as string);
        if (resolve) { this.waiting.delete(message.envelope_id as string); resolve(message); }
      }
    });
    this.sendText(socket, { type: "hello", num_connections: 1, debug_info: { host: "fake" }, connection_info: { app_id: "A1" } });
  }

  /** Sends an envelope on the newest connection (`retryAttempt` > 0: a redelivery); resolves with the client's acknowledgement. */
  async send(type: "events_api" | "interactive", payload: unknown, timeoutMs = 5000, retryAttempt = 0): Promise<Record<string, unknown>> {
    const socket = [...this.sockets].at(-1);
    if (!socket) throw new Error("no Socket Mode connection is open");
    const envelopeId = randomUUID();
    const acked = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.waiting.set(envelopeId, resolve);
      setTimeout(() => reject(new Error(`envelope ${envelopeId} (${type}) was not acknowledged within ${timeoutMs} ms`)), timeoutMs).unref();
    });
    this.sendText(socket, { envelope_id: envelopeId, type, payload, accepts_response_payload: type === "interactive", retry_attempt: retryAttempt, retry_reason: retryAttempt > 0 ? "timeout" : "" });
    return acked;
  }

  /** Drops every connection (the fake's close). */
  closeAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private sendText(socket: Duplex, message: unknown): void {
    socket.write(frameOf(0x1, Buffer.from(JSON.stringify(message))));
  }
}

/** An unmasked server frame. */
function frameOf(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(n)]);
  return Buffer.concat([head, payload]);
}

function bigLength(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** The first complete client frame in `buf` (client frames are masked), or undefined until more bytes arrive. */
function readFrame(buf: Buffer): { opcode: number; payload: Buffer; length: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0]! & 0x0f;
  const masked = (buf[1]! & 0x80) !== 0;
  let len = buf[1]! & 0x7f;
  let offset = 2;
  if (len === 126) { if (buf.length < 4) return undefined; len = buf.readUInt16BE(2); offset = 4; }
  else if (len === 127) { if (buf.length < 10) return undefined; len = Number(buf.readBigUInt64BE(2)); offset = 10; }
  const maskEnd = offset + (masked ? 4 : 0);
  if (buf.length < maskEnd + len) return undefined;
  const payload = Buffer.from(buf.subarray(maskEnd, maskEnd + len));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= buf[offset + (i % 4)]!;
  return { opcode, payload, length: maskEnd + len };
}
