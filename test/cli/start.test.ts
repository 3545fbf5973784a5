import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
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
    const child = spawnCli(["start"], { cwd, env: { PORT: String(port), LOG_LEVEL: "info", FLOWS_DIR: join(ROOT, "flows"), LOCALES_DIR: join(ROOT, "locales"), DATABASE_URL: "" } });
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
    child.kill("SIGTERM");
    const code = await new Promise((r) => child.on("close", r));
    expect(code).toBe(0);
    const lines = log.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.find((l) => l.msg === "database migrated").applied).toEqual(["0001_init.sql", "0002_hot_path_indexes.sql", "0003_handled_messages.sql", "0004_loyalty.sql", "0005_support_tickets.sql", "0006_feedback.sql"]);
    expect(lines.find((l) => l.msg === "rapport ready")).toMatchObject({ port, database: "sqlite" });
    expect(lines.at(-1).msg).toBe("shutting down");
    const { existsSync } = await import("node:fs");
    expect(existsSync(join(cwd, "data/rapport.db"))).toBe(true);
  });

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
