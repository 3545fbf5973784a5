import { createServer, request, type IncomingMessage, type Server } from "node:http";

/**
 * A load balancer on loopback in front of several `rapport start` instances, as operators put one in
 * front of a deployment: each request goes to the next instance in turn (round robin), so a chat's
 * consecutive updates land on different instances. An instance that refuses the connection (killed,
 * not listening yet) is skipped and the request goes to the next one, as a balancer's health check
 * would have it; an instance that dies while answering costs that request a 502, which Telegram and
 * Slack answer by delivering again. `served` records which instance answered what.
 */
export class RoundRobinProxy {
  /** Per request answered by an instance: its index and the request's path. */
  readonly served: { backend: number; path: string; status: number; body: string }[] = [];
  private next = 0;

  private constructor(private readonly server: Server, readonly origin: string, private readonly ports: number[]) {}

  /** Starts the proxy on a free port, forwarding to 127.0.0.1 at `ports`. */
  static async start(ports: number[]): Promise<RoundRobinProxy> {
    let proxy: RoundRobinProxy | undefined;
    const server = createServer((req, res) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const answer = await proxy!.forward(req, Buffer.concat(chunks));
        res.writeHead(answer.status, answer.headers).end(answer.body);
      })().catch(() => { if (!res.headersSent) res.writeHead(502).end(); });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxy = new RoundRobinProxy(server, `http://127.0.0.1:${(server.address() as { port: number }).port}`, ports);
    return proxy;
  }

  /** Requests each instance answered, by index. */
  counts(): number[] {
    const n = this.ports.map(() => 0);
    for (const s of this.served) n[s.backend]!++;
    return n;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Tries the instances in turn from the next one; the first that takes the connection answers. */
  private async forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const first = this.next;
    this.next = (this.next + 1) % this.ports.length;
    for (let i = 0; i < this.ports.length; i++) {
      const backend = (first + i) % this.ports.length;
      const answer = await this.once(this.ports[backend]!, req, body).catch((error: NodeJS.ErrnoException) => error);
      if (answer instanceof Error) {
        if (answer.code === "ECONNREFUSED") continue; // down: the next instance takes it
        return { status: 502, headers: {}, body: Buffer.from("instance went away") };
      }
      this.served.push({ backend, path: req.url ?? "", status: answer.status, body: body.toString("utf8") });
      return answer;
    }
    return { status: 502, headers: {}, body: Buffer.from("no instance is up") };
  }

  private once(port: number, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | string[] | undefined> = { ...req.headers, "content-length": String(body.length) };
      delete headers.connection;
      const out = request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers, agent: false }, (up) => {
        const parts: Buffer[] = [];
        up.on("data", (d: Buffer) => parts.push(d));
        up.on("end", () => resolve({ status: up.statusCode ?? 502, headers: { "content-type": String(up.headers["content-type"] ?? "application/json") }, body: Buffer.concat(parts) }));
        up.on("error", reject);
      });
      out.on("error", reject);
      out.end(body);
    });
  }
}
