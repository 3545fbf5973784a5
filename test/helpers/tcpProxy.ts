import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * A loopback TCP proxy in front of a database server that a test can take down and bring back,
 * to show that a briefly unreachable database delays messages instead of dropping them; or stall,
 * to show that a connection that stops answering (half-open, after a network fault) fails in time.
 */
export class TcpProxy {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  /** Connections that forward nothing any more (stalled): their bytes are dropped both ways. */
  private readonly dead = new WeakSet<Socket>();
  private stalled = false;
  port = 0;

  constructor(private readonly targetHost: string, private readonly targetPort: number) {}

  /** Starts listening (on the same port after a `down()`). */
  async up(): Promise<void> {
    this.server = createServer((client) => {
      this.track(client);
      if (this.stalled) {
        this.dead.add(client); // accepted, never answered: like a server behind a dead link
        client.on("data", () => undefined);
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      this.track(upstream);
      client.on("data", (d) => { if (!this.dead.has(client)) upstream.write(d); });
      upstream.on("data", (d) => { if (!this.dead.has(client)) client.write(d); });
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => { if (!this.dead.has(client)) client.destroy(); });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
  }

  /**
   * Stops forwarding without closing anything: open connections and new ones stay open and get no
   * answer, as when a network path dies without a reset. Connections open now stay dead after `resume()`.
   */
  stall(): void {
    this.stalled = true;
    for (const s of this.sockets) this.dead.add(s);
  }

  /** New connections are forwarded again; the ones stalled stay dead (a half-open connection never recovers). */
  resume(): void {
    this.stalled = false;
  }

  /** Cuts every connection and refuses new ones until `up()`. */
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on("close", () => this.sockets.delete(s));
    s.on("error", () => s.destroy());
  }
}
