/**
 * The HTTP server's bounds (issue #13): timeouts of its own, a connection cap, liveness beside
 * readiness, and a stop that ends within its grace whatever clients do (trickled headers, a slow
 * body), while a request being answered still gets its answer.
 */
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/log";
import { HttpServer, sendJson, type HttpLimits } from "../../src/http/server";
import { readBodyText } from "../../src/http/readBodyText";

const servers: HttpServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close(0);
});

async function serve(limits: Partial<HttpLimits> = {}, setup: (http: HttpServer) => void = () => undefined): Promise<{ http: HttpServer; port: number }> {
  const http = new HttpServer(silentLogger, limits);
  setup(http);
  servers.push(http);
  return { http, port: await http.listen(0, "127.0.0.1") };
}

/** A raw client: what it is sent, and when the server closed it. */
function rawClient(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    sockets.push(socket);
    let data = "";
    socket.on("data", (d) => (data += d));
    socket.on("error", () => undefined);
    const closed = new Promise<number>((r) => socket.on("close", () => r(Date.now())));
    socket.on("connect", () => resolve({ socket, received: () => data, closed }));
  });
}

/** Sends `text` a character every `everyMs`, until the socket closes. */
function trickle(socket: Socket, text: string, everyMs = 50): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]!);
  }, everyMs);
}

describe("HttpServer bounds", () => {
  it("cuts a client that trickles its headers past headersTimeout (408)", async () => {
    const { port } = await serve({ headersTimeoutMs: 400 });
    const client = await rawClient(port);
    const started = Date.now();
    trickle(client.socket, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${"a".repeat(500)}\r\n\r\n`);
    const closedAt = await client.closed;
    expect(closedAt - started).toBeLessThan(2_500);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it("closes connections beyond maxConnections as they arrive", async () => {
    const { port } = await serve({ maxConnections: 2 });
    const a = await rawClient(port);
    const b = await rawClient(port);
    await new Promise((r) => setTimeout(r, 100));
    const c = await rawClient(port);
    await c.closed;
    a.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    await new Promise((r) => setTimeout(r, 200));
    expect(a.received()).toMatch(/^HTTP\/1\.1 503/); // the two within the cap are served (503: not marked ready)
    expect(c.received()).toBe("");
    expect(b.socket.destroyed).toBe(false);
  });

  it("stops within its grace whatever clients do, and answers the request it is working on", async () => {
    let release: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const working = new Promise<void>((r) => (arrived = r));
    const { http, port } = await serve({ arrivalGraceMs: 200 }, (h) => h.use(async (req, res) => {
      if (req.url === "/echo") {
        sendJson(res, 200, { body: await readBodyText(req, 10_000) });
        return true;
      }
      if (req.url !== "/work") return false;
      await new Promise<void>((r) => { release = r; arrived(); });
      sendJson(res, 200, { done: true });
      return true;
    }));
    const headers = await rawClient(port); // still sending headers at stop: cut at once
    trickle(headers.socket, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${"a".repeat(500)}\r\n\r\n`);
    const body = await rawClient(port); // headers done, body trickling: cut after arrivalGraceMs
    body.socket.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
    trickle(body.socket, "x".repeat(999));
    const idle = await rawClient(port); // kept alive after an answer: closed at once
    idle.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const answer = fetch(`http://127.0.0.1:${port}/work`).then((r) => r.json());
    await working; // on a loaded machine the request can take a while to arrive: stop only once it is being worked on
    await new Promise((r) => setTimeout(r, 300));

    const started = Date.now();
    const closing = http.close(1_500);
    setTimeout(() => release(), 500); // the work in flight finishes within the grace
    expect(await answer).toEqual({ done: true });
    await closing; // early: the work was answered, and the clients' connections were not waited for
    for (const c of [headers, body, idle]) expect(await c.closed).toBeLessThan(started + 1_400);
    expect(body.received()).toBe("");
  });

  it("cuts a request still being worked on at the end of the grace", async () => {
    const { http, port } = await serve({}, (h) => h.use(async (req) => {
      if (req.url !== "/forever") return false;
      await new Promise(() => undefined);
      return true;
    }));
    const hanging = fetch(`http://127.0.0.1:${port}/forever`).catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await http.close(300);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await hanging).toBe("fetch failed");
  });
});

describe("/healthz and /readyz", () => {
  it("liveness answers once started; readiness also asks the probe", async () => {
    let databaseUp = true;
    const { http, port } = await serve({}, (h) => h.setReadinessProbe(async () => databaseUp));
    const get = async (path: string) => { const r = await fetch(`http://127.0.0.1:${port}${path}`); return [r.status, await r.json()]; };
    expect(await get("/healthz")).toEqual([503, { status: "starting" }]);
    expect(await get("/readyz")).toEqual([503, { status: "starting" }]);
    http.markReady();
    expect(await get("/healthz")).toEqual([200, { status: "ok" }]);
    expect(await get("/readyz")).toEqual([200, { status: "ready" }]);
    databaseUp = false;
    expect(await get("/readyz")).toEqual([503, { status: "database_unreachable" }]);
    expect(await get("/healthz")).toEqual([200, { status: "ok" }]); // alive: restarting it would not bring the database back
  });
});
