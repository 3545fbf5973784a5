import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "../core/log";
import type { Readiness } from "./readiness";

/** A route handler; returns false to let the next handler try. */
export type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** Replies with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * What a client may hold of the server (issue #13: a client trickling headers kept `rapport start`
 * from exiting for minutes after SIGTERM). Node's own defaults are a minute for headers and five for a
 * request, checked every 30 s, with no cap on connections.
 */
export interface HttpLimits {
  /** Until the request's headers are complete; then 408 and the connection is closed. */
  headersTimeoutMs: number;
  /** Until the whole request (headers and body: at most 1 MB here) has arrived. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; a load balancer in front should use a shorter idle timeout. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this are closed as they arrive. */
  maxConnections: number;
  /** At stop, a request still arriving (slow body) gets this long to finish arriving before it is cut. */
  arrivalGraceMs: number;
}

/** The limits Rapport serves with (README, "HTTP"); tests shorten them. */
export const HTTP_LIMITS: HttpLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 1_000, arrivalGraceMs: 1_000 };

/**
 * Rapport's HTTP server: `/healthz` (liveness), `/readyz` (readiness: the database answers) plus
 * whatever routes channels add (webhooks). One server on PORT for everything, so a deployment
 * exposes a single port. Clients are bounded (HttpLimits) and stopping is bounded: see close().
 */
export class HttpServer {
  private readonly routes: Route[] = [];
  private server: Server | undefined;
  private ready = false;
  private stopping = false;
  private readonly limits: HttpLimits;
  private readonly sockets = new Set<Socket>();
  /** The request each connection is being answered for; a connection without one is idle or still sending headers. */
  private readonly active = new Map<Socket, IncomingMessage>();
  private probe: () => Promise<boolean> = async () => true;
  /** Resolves when the server has stopped and its last connection closed. */
  private closed: Promise<void> = Promise.resolve();

  constructor(private readonly log: Logger, limits: Partial<HttpLimits> = {}) {
    this.limits = { ...HTTP_LIMITS, ...limits };
    this.routes.push(async (req, res) => {
      const path = req.url?.split("?")[0];
      if ((path !== "/healthz" && path !== "/readyz") || req.method !== "GET") return false;
      if (path === "/healthz") sendJson(res, this.ready ? 200 : 503, { status: this.ready ? "ok" : "starting" });
      else {
        const state = await this.readiness();
        sendJson(res, state === "ready" ? 200 : 503, { status: state });
      }
      return true;
    });
  }

  /** Adds a route; routes are tried in the order added. */
  use(route: Route): void {
    this.routes.push(route);
  }

  /** Marks the app ready: /healthz answers 200 from now on, and /readyz once the probe agrees. */
  markReady(): void {
    this.ready = true;
  }

  /** What /readyz asks besides "started and not stopping": whether the database answers (cache it, see cachedProbe). */
  setReadinessProbe(probe: () => Promise<boolean>): void {
    this.probe = probe;
  }

  private async readiness(): Promise<Readiness> {
    if (!this.ready) return "starting";
    return (await this.probe()) ? "ready" : "database_unreachable";
  }

  /** Listens on host:port; resolves with the bound port (useful with port 0 in tests). */
  listen(port: number, host: string): Promise<number> {
    const l = this.limits;
    this.server = createServer({ headersTimeout: l.headersTimeoutMs, requestTimeout: l.requestTimeoutMs, keepAliveTimeout: l.keepAliveTimeoutMs, connectionsCheckingInterval: Math.min(1_000, l.headersTimeoutMs) }, async (req, res) => {
      this.active.set(req.socket, req);
      res.on("close", () => { if (this.active.get(req.socket) === req) this.active.delete(req.socket); });
      if (this.stopping) res.setHeader("connection", "close");
      try {
        for (const route of this.routes) if (await route(req, res)) return;
        sendJson(res, 404, { error: "not_found", message: `no route for ${req.method} ${req.url?.split("?")[0]}` });
      } catch (error) {
        this.log.error("HTTP route failed", { method: req.method, path: req.url?.split("?")[0], error: error as Error });
        if (!res.headersSent) sendJson(res, 500, { error: "internal", message: "internal error; see the server log" });
        else res.end();
      }
    });
    this.server.maxConnections = l.maxConnections;
    this.server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => { this.sockets.delete(socket); this.active.delete(socket); });
    });
    return new Promise((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => {
        const addr = this.server!.address();
        resolve(typeof addr === "object" && addr ? addr.port : port);
      });
    });
  }

  /**
   * The first step of stopping: no new connections (a load balancer sees the refusal at once), idle connections and
   * those still sending headers are closed now (no work has started on them), and a request whose
   * body is still arriving after `arrivalGraceMs` is cut (its client sends it again; nothing was
   * done with it). Requests being answered go on; close() waits for them.
   */
  stopAccepting(): void {
    if (this.stopping) return;
    this.stopping = true;
    const server = this.server;
    if (server) this.closed = new Promise((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) if (!this.active.has(socket)) socket.destroy();
    const cutSlowArrivals = setTimeout(() => {
      for (const [socket, req] of this.active) if (!req.complete) socket.destroy();
    }, this.limits.arrivalGraceMs);
    cutSlowArrivals.unref();
  }

  /**
   * Stops within `graceMs` whatever clients do: stopAccepting(), then waits for the requests being
   * answered; past `graceMs` the remaining connections are closed (their clients see a reset and
   * retry: the API, Telegram and Slack all send again what was not answered).
   */
  async close(graceMs = 5_000): Promise<void> {
    this.stopAccepting();
    const deadline = Date.now() + graceMs;
    while (this.active.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    for (const socket of this.sockets) if (!this.active.has(socket)) socket.destroy(); // finished meanwhile (keep-alive)
    if (this.active.size > 0) {
      this.log.warn("HTTP requests still open at the end of the stop grace; closing their connections", { open: this.active.size, graceMs });
      for (const socket of this.sockets) socket.destroy();
    }
    await this.closed;
  }
}
