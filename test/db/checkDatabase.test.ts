/**
 * checkDatabase: commands refuse a missing SQLite file (naming the path and how to create it) and
 * report an unreachable PostgreSQL with the server and the reason, within 5 s instead of 30 s of
 * silent retries; `rapport tickets` shows both as a person sees them.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkDatabase, DatabaseNotFoundError, DatabaseUnreachableError, describeServer } from "../../src/db/checkDatabase";
import { runCli } from "../helpers/cli";

const servers: Server[] = [];
const sockets: Socket[] = [];
afterAll(() => { for (const s of sockets) s.destroy(); for (const s of servers) s.close(); });

/** A TCP server that accepts connections and never says a word: a hung or firewalled database. */
async function silentServer(): Promise<number> {
  const server = createServer((socket) => { sockets.push(socket); socket.on("error", () => undefined); });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const failure = (url: string, options?: { create?: boolean }) => checkDatabase(url, options).then(() => undefined, (e: unknown) => e as Error);

describe("checkDatabase", () => {
  it("refuses an SQLite file that does not exist, naming the path and how to create it; creates nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rapport-check-"));
    const error = await failure(`file:${join(dir, "data", "rapot.db")}`);
    expect(error).toBeInstanceOf(DatabaseNotFoundError);
    expect((error as DatabaseNotFoundError).code).toBe("rapport_db_not_found");
    expect(error!.message).toBe(`DATABASE_URL: there is no SQLite database at ${join(dir, "data", "rapot.db")} (file:${join(dir, "data", "rapot.db")})\n  hint: check the path; \`npm start\` (rapport start) creates and migrates a new database there`);
    expect(existsSync(join(dir, "data"))).toBe(false);
    expect(await failure(`file:${join(dir, "new.db")}`, { create: true })).toBeUndefined();
    expect(await failure("file::memory:")).toBeUndefined();
  });

  it("reports a refused PostgreSQL connection with the server (never the password) and the reason", async () => {
    const port = await closedPort();
    const error = await failure(`postgresql://rapport:s3cret@127.0.0.1:${port}/shop`);
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect((error as DatabaseUnreachableError).code).toBe("rapport_db_unreachable");
    expect(error!.message).toBe(`DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:${port}/shop: connection refused (nothing listens on that port: is PostgreSQL running?)\n  hint: check DATABASE_URL and that the server is running and accepts connections from here`);
    expect(error!.message).not.toContain("s3cret");
  });

  it("gives up on a server that never answers after 5 s, saying so", async () => {
    const port = await silentServer();
    const started = Date.now();
    const error = await failure(`postgresql://rapport@127.0.0.1:${port}/shop`);
    const waited = Date.now() - started;
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect(error!.message).toContain(`cannot reach PostgreSQL at 127.0.0.1:${port}/shop: no answer within 5 s`);
    expect(waited).toBeGreaterThanOrEqual(4_500); // it did wait for the server, not give up at once
    expect(waited).toBeLessThan(20_000); // and not the 30 s of retries commands used to sit through
  }, 30_000);

  it("reports an unknown host by name", async () => {
    const error = await failure("postgresql://rapport@no-such-host.invalid:5432/shop");
    expect(error!.message).toContain("cannot reach PostgreSQL at no-such-host.invalid:5432/shop: host no-such-host.invalid not found");
  });

  it("describes a server without user or password", () => {
    expect(describeServer("postgresql://u:p@db.example.com:6543/rapport?sslmode=require")).toBe("db.example.com:6543/rapport");
    expect(describeServer("postgres://db")).toBe("db:5432");
  });
});

describe("commands and the database check", () => {
  it("rapport tickets refuses a mistyped SQLite path (exit 1) instead of creating an empty database", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rapport-check-"));
    const r = await runCli(["tickets"], { env: { DATABASE_URL: "file:./data/rapot.db" }, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`rapport: DATABASE_URL: there is no SQLite database at ${join(dir, "data", "rapot.db")} (file:./data/rapot.db)\n  hint: check the path; \`npm start\` (rapport start) creates and migrates a new database there\n`);
    expect(r.stdout).toBe("");
    expect(existsSync(join(dir, "data"))).toBe(false);
  });

  it("rapport report names the PostgreSQL server it cannot reach (exit 1)", async () => {
    const port = await closedPort();
    const r = await runCli(["report"], { env: { DATABASE_URL: `postgresql://rapport@127.0.0.1:${port}/shop` } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`rapport: DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:${port}/shop: connection refused`);
  });
});
