import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "../core/log";

/** A route handler; returns false to let the next handler try. */
export type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** Replies with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Rapport's HTTP server: `/healthz` plus whatever routes channels add (webhooks). One server on
 * PORT for everything, so a deployment exposes a single port.
 */
export class HttpServer {
  private readonly routes: Route[] = [];
  private server: Server | undefined;
  private ready = false;

  constructor(private readonly log: Logger) {
    this.routes.push((req, res) => {
      if (req.url !== "/healthz" || req.method !== "GET") return false;
      sendJson(res, this.ready ? 200 : 503, { status: this.ready ? "ok" : "starting" });
      return true;
    });
  }

  /** Adds a route; routes are tried in the order added. */
  use(route: Route): void {
    this.routes.push(route);
  }

  /** Marks the app ready: /healthz answers 200 from now on. */
  markReady(): void {
    this.ready = true;
  }

  /** Listens on host:port; resolves with the bound port (useful with port 0 in tests). */
  listen(port: number, host: string): Promise<number> {
    this.server = createServer(async (req, res) => {
      try {
        for (const route of this.routes) if (await route(req, res)) return;
        sendJson(res, 404, { error: "not_found", message: `no route for ${req.method} ${req.url?.split("?")[0]}` });
      } catch (error) {
        this.log.error("HTTP route failed", { method: req.method, path: req.url?.split("?")[0], error: error as Error });
        if (!res.headersSent) sendJson(res, 500, { error: "internal", message: "internal error; see the server log" });
        else res.end();
      }
    });
    return new Promise((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => {
        const addr = this.server!.address();
        resolve(typeof addr === "object" && addr ? addr.port : port);
      });
    });
  }

  /** Stops accepting connections and waits for open ones to finish. */
  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
