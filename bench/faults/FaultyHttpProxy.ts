import { createServer, request, type Server } from "node:http";

/**
 * An HTTP reverse proxy on loopback in front of a fake API (Telegram's Bot API, Slack's Web API)
 * that can answer every request with a 5xx for a while, as an upstream outage looks to Rapport.
 * Outside an outage it forwards requests and responses unchanged (long polls included).
 */
export class FaultyHttpProxy {
  /** Requests answered with the outage status. */
  refused = 0;
  private outageUntil = 0;
  private status = 502;

  private constructor(private readonly server: Server, readonly origin: string) {}

  /** Starts a proxy for `target` (e.g. "http://127.0.0.1:4000") on a free port. */
  static async start(target: string): Promise<FaultyHttpProxy> {
    const upstream = new URL(target);
    let proxy: FaultyHttpProxy | undefined;
    const server = createServer((req, res) => {
      if (Date.now() < proxy!.outageUntil) {
        proxy!.refused++;
        req.resume();
        const body = JSON.stringify({ ok: false, error_code: proxy!.status, description: "Bad Gateway (bench outage)", error: "bench_outage" });
        res.writeHead(proxy!.status, { "content-type": "application/json" }).end(body);
        return;
      }
      const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on("error", () => { if (!res.headersSent) res.writeHead(502).end(); else res.destroy(); });
      res.on("close", () => out.destroy());
      req.pipe(out);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxy = new FaultyHttpProxy(server, `http://127.0.0.1:${(server.address() as { port: number }).port}`);
    return proxy;
  }

  /** Every request for the next `ms` milliseconds gets `status` (502 by default). */
  outage(ms: number, status = 502): void {
    this.status = status;
    this.outageUntil = Date.now() + ms;
  }

  /** Whether an outage is on now. */
  get down(): boolean {
    return Date.now() < this.outageUntil;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
