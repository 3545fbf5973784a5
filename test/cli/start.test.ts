import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnCli } from "../helpers/cli";
import { ROOT } from "../helpers/testApp";

function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
}

describe("rapport start", () => {
  it("creates and migrates data/rapport.db, answers /healthz, and stops cleanly on SIGTERM", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "rapport-start-"));
    const port = await freePort();
    // Which modules it loads (issue 17: only what is configured; the console's code when first asked for).
    const trace = join(cwd, "modules.txt");
    writeFileSync(trace, "");
    const loaded = (pattern: RegExp) => readFileSync(trace, "utf8").split("\n").filter((u) => pattern.test(u));
    const child = spawnCli(["start"], { cwd, nodeArgs: ["--import", join(ROOT, "test/helpers/traceImports.mjs")],
      env: { PORT: String(port), LOG_LEVEL: "info", FLOWS_DIR: join(ROOT, "flows"), LOCALES_DIR: join(ROOT, "locales"), DATABASE_URL: "", TRACE_IMPORTS_FILE: trace, SWEEP_INTERVAL_SECONDS: "1" } });
    let log = "";
    child.stderr.on("data", (d) => (log += d));
    let status = 0;
    let body: unknown;
    for (let i = 0; i < 200 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (res) { status = res.status; body = await res.json(); }
    }
    expect(status).toBe(200);
    expect(body).toEqual({ status: "ok" });
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    expect(loaded(/\/node_modules\/(grammy|@grammyjs|@slack|prom-client|@dagrejs|bcryptjs)\/|\/consoleRoute-/)).toEqual([]);
    expect(loaded(/\/@prisma\/adapter-pg\/|\/node_modules\/pg\//)).toEqual([]); // one dialect's driver
    // Idle, Prisma is never loaded (Database.prisma: ~20 MB): not by start-up (migrations, flow
    // versions), nor by the sweeper's tasks (each second here) or the pollers finding nothing to do.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(loaded(/\/@prisma\/(adapter-|client\/)/)).toEqual([]);
    // The console (sign-in first) and the web chat widget are served on the same port.
    const consolePage = await fetch(`http://127.0.0.1:${port}/console/flows`, { redirect: "manual" });
    expect([consolePage.status, consolePage.headers.get("location")]).toEqual([303, "/console/sign-in?next=%2Fconsole%2Fflows"]);
    expect((await fetch(`http://127.0.0.1:${port}/console/sign-in`)).status).toBe(200);
    expect(loaded(/\/consoleRoute-/).length).toBeGreaterThan(0); // loaded by the first console request
    expect((await fetch(`http://127.0.0.1:${port}/webchat/widget.js`)).headers.get("content-type")).toMatch(/^text\/javascript/);
    child.kill("SIGTERM");
    const code = await new Promise((r) => child.on("close", r));
    expect(code).toBe(0);
    const lines = log.trim().split("\n").map((l) => JSON.parse(l));
    // Every checked-in migration (read from the folder: each new one changed a list written here).
    expect(lines.find((l) => l.msg === "database migrated").applied).toEqual(readdirSync(join(ROOT, "prisma/migrations/sqlite")).filter((f) => f.endsWith(".sql")).sort());
    expect(lines.find((l) => l.msg === "rapport ready")).toMatchObject({ port, database: "sqlite", channels: ["webchat"] });
    expect(lines.at(-1).msg).toBe("shutting down");
    const { existsSync } = await import("node:fs");
    expect(existsSync(join(cwd, "data/rapport.db"))).toBe(true);
  });

  it("answers /readyz, and stops within SHUTDOWN_TIMEOUT_SECONDS of SIGTERM while clients trickle headers and a body", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "rapport-start-"));
    const port = await freePort();
    const child = spawnCli(["start"], { cwd, env: { PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", FLOWS_DIR: join(ROOT, "flows"), LOCALES_DIR: join(ROOT, "locales"), DATABASE_URL: "", RAPPORT_API_KEY: "k".repeat(40) } });
    const exited = new Promise<number | null>((r) => child.on("close", r));
    let ready: Response | undefined;
    for (let i = 0; i < 300 && ready?.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    }
    expect(ready?.status).toBe(200);
    expect(await ready!.json()).toEqual({ status: "ready" });

    const clients: Socket[] = [];
    const open = async (first: string, rest: string) => {
      const socket = connect(port, "127.0.0.1");
      socket.on("error", () => undefined);
      clients.push(socket);
      await new Promise((r) => socket.once("connect", r));
      socket.write(first);
      let i = 0;
      const timer = setInterval(() => (socket.destroyed || i >= rest.length ? clearInterval(timer) : socket.write(rest[i++]!)), 200);
    };
    await open("GET /healthz HTTP/1.1\r\nHost: x\r\n", `X-Slow: ${"a".repeat(2_000)}\r\n\r\n`); // headers, a byte at a time
    await open(`POST /api/v1/purchases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${"k".repeat(40)}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{`, " ".repeat(4_999)); // a slow body
    await new Promise((r) => setTimeout(r, 500));
    const signalled = Date.now();
    child.kill("SIGTERM");
    const code = await exited;
    const took = Date.now() - signalled;
    for (const c of clients) c.destroy();
    expect(code).toBe(0); // a clean stop, not the backstop's exit 1
    expect(took).toBeLessThan(10_000); // the default SHUTDOWN_TIMEOUT_SECONDS; before issue #13 it waited for the clients (minutes)
  }, 60_000);

  it("says which port is taken and exits instead of hanging", async () => {
    const blocker = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const port = (blocker.address() as { port: number }).port;
    const cwd = mkdtempSync(join(tmpdir(), "rapport-start-"));
    const child = spawnCli(["start"], { cwd, env: { PORT: String(port), HOST: "127.0.0.1", FLOWS_DIR: join(ROOT, "flows"), LOCALES_DIR: join(ROOT, "locales"), DATABASE_URL: "" } });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise((r) => child.on("close", r));
    blocker.close();
    expect(code).toBe(1);
    expect(err).toContain(`rapport: PORT: port ${port} is already in use`);
  });
});
