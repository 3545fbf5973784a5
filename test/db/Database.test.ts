import { readdirSync, readlinkSync } from "node:fs";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, sqlitePath, type Database } from "../../src/db/Database";
import { migrate } from "../../src/db/migrate";
import { sql } from "../../src/db/plan";
import { recordInteraction } from "../../src/history/recordInteraction";
import { newId } from "../../src/core/ids";
import { dropDatabase, freshDatabaseUrl, testDialect } from "../helpers/database";
import { TcpProxy } from "../helpers/tcpProxy";
import { isTransientDbError, withDbRetry } from "../../src/db/retry";

let db: Database | undefined;
afterEach(async () => { await db?.close(); db = undefined; });

describe("Database", () => {
  it.runIf(testDialect === "sqlite")("the hot path stores timestamps in the same text form as Prisma, so history sorts right", async () => {
    const url = await freshDatabaseUrl();
    db = await openDatabase(url);
    await migrate(db);
    await db.prisma.contact.create({ data: { id: "c" } });
    const at = new Date("2026-11-23T15:51:28.123Z");
    const hotId = newId(); // ids sort by creation, as the engine's do
    await db.run((function* () {
      yield sql("INSERT INTO interactions (id, contact_id, occurred_at, direction, kind, actor) VALUES (?, 'c', ?, 'event', 'hot', 'bot')", hotId, at);
    })());
    await recordInteraction(db.prisma, "c", { direction: "event", kind: "prisma", actor: "system", occurredAt: at });
    const raw = new BetterSqlite3(sqlitePath(url), { readonly: true });
    const stored = raw.prepare("SELECT kind, occurred_at FROM interactions ORDER BY occurred_at, id").all() as { kind: string; occurred_at: string }[];
    raw.close();
    expect(stored.map((r) => r.occurred_at)).toEqual(["2026-11-23T15:51:28.123+00:00", "2026-11-23T15:51:28.123+00:00"]);
    expect(stored.map((r) => r.kind)).toEqual(["hot", "prisma"]); // same millisecond: written order (ids) decides
  });

  // Issue 17, goal 0: SQLite spilled statement journals over 64 KiB to files it created and deleted
  // in /var/tmp, inside nearly every hot-path commit (~45% of the bytes the bench's engine wrote).
  it.runIf(testDialect === "sqlite" && process.platform === "linux")("keeps a hot-path transaction's statement journal in memory: a large multi-row write opens no temporary file", async () => {
    db = await openDatabase(await freshDatabaseUrl());
    await db.query(sql("CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT NOT NULL)"));
    await db.query(sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO big (pad) SELECT printf('%0300d', i) FROM n"));
    const seen: string[][] = [];
    await db.run((function* () {
      yield sql("UPDATE big SET pad = pad || 'y'"); // may abort (NOT NULL) and writes ~150 existing pages: journaled per statement
      seen.push(openTempFiles());
    })());
    expect(seen).toEqual([[]]);
    expect(await db.query(sql("SELECT count(*) AS n FROM big WHERE pad LIKE '%y'"))).toEqual([{ n: 2000 }]);
  });

  it("returns the hot path's rows as objects named by their columns, the last of a repeated name winning", async () => {
    db = await openDatabase(await freshDatabaseUrl());
    await migrate(db);
    await db.prisma.contact.create({ data: { id: "c1", displayName: "Ann", points: 7 } });
    await db.prisma.contact.create({ data: { id: "c2", points: 9 } });
    const rows = await db.run((function* () {
      const read = yield sql("SELECT id, display_name, points, 'x' AS id FROM contacts ORDER BY points");
      const returned = yield sql("UPDATE contacts SET points = points + 1 WHERE id = ? RETURNING id, points", "c2");
      return { read, returned };
    })());
    expect(rows.read).toEqual([{ id: "x", display_name: "Ann", points: 7 }, { id: "x", display_name: null, points: 9 }]);
    expect(rows.returned).toEqual([{ id: "c2", points: 10 }]);
    expect(await db.query(sql("SELECT id FROM contacts WHERE id = ?", "none"))).toEqual([]);
  });
});

describe(`Database limits (${testDialect})`, () => {
  it.runIf(testDialect === "postgresql")("sets statement and idle-in-transaction timeouts on both pools", async () => {
    db = await openDatabase(await freshDatabaseUrl());
    const hot = await db.query(sql("SELECT current_setting('statement_timeout') AS s, current_setting('idle_in_transaction_session_timeout') AS i"));
    expect(hot).toEqual([{ s: "10s", i: "1min" }]);
    const domain = await db.prisma.$queryRawUnsafe<{ s: string; i: string }[]>("SELECT current_setting('statement_timeout') AS s, current_setting('idle_in_transaction_session_timeout') AS i");
    expect(domain).toEqual([{ s: "1min", i: "1min" }]);
    expect(await db.ping(1000)).toBe(true);
  });

  it.runIf(testDialect === "postgresql")("a connection that stops answering fails a commit within the bound, and the retry commits on a fresh one", async () => {
    const url = new URL(await freshDatabaseUrl());
    const proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.up();
    const viaProxy = new URL(url);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(proxy.port);
    try {
      db = await openDatabase(viaProxy.toString(), { pgLimits: { connectMs: 500, hotStatementMs: 300, statementMs: 300 } });
      await migrate(db);
      await db.prisma.contact.create({ data: { id: "c" } });
      proxy.stall(); // every open connection now swallows what it is sent, as after a network fault
      const failures: string[] = [];
      const started = Date.now();
      const commit = withDbRetry(() => db!.run((function* () {
        yield sql("INSERT INTO interactions (id, contact_id, occurred_at, direction, kind, actor) VALUES (?, 'c', ?, 'event', 'stalled', 'bot')", newId(), new Date());
      })()), { budgetMs: 20_000, onRetry: (_n, e) => failures.push((e as Error).message) });
      const domain = db.prisma.contact.count().then(() => "answered", (e: unknown) => (isTransientDbError(e) ? "transient failure" : `other: ${(e as Error).message}`));
      expect(await db.ping(300)).toBe(false);
      await new Promise((r) => setTimeout(r, 3_000));
      proxy.resume();
      await commit;
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(failures[0]).toBe("Query read timeout"); // the stalled statement failed (300 ms + 2 s grace) instead of hanging
      expect(await domain).toBe("transient failure"); // Prisma's pool gives up on it the same way
      expect(await db.prisma.interaction.count({ where: { kind: "stalled" } })).toBe(1);
      expect(await db.ping(1000)).toBe(true);
    } finally {
      await db?.close();
      db = undefined;
      await proxy.down();
      await dropDatabase(url.toString());
    }
  }, 30_000);

  it.runIf(testDialect === "postgresql")("a burst queued behind a full pool waits for a connection instead of failing as unreachable", async () => {
    // pg-pool bounds the wait for a free client with the connect timeout unless told apart: with a
    // 1 s connect bound, 400 transactions of ~40 ms each on 10 connections (the last ones wait ~1.6 s)
    // used to fail. The bound stays well above what opening a connection takes on a loaded machine
    // (200 ms did not, at load 10-14).
    db = await openDatabase(await freshDatabaseUrl(), { pgLimits: { connectMs: 1_000 } });
    await migrate(db);
    await db.prisma.contact.create({ data: { id: "c" } });
    const results = await Promise.allSettled(Array.from({ length: 400 }, () => db!.prisma.$transaction(async (tx) => {
      await tx.$queryRawUnsafe("SELECT 1 AS slept FROM pg_sleep(0.04)");
      await tx.contact.update({ where: { id: "c" }, data: { points: { increment: 1 } } });
    }, { maxWait: 25_000 }))); // Prisma's own wait for a transaction is not what this tests
    expect(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect((await db.prisma.contact.findUniqueOrThrow({ where: { id: "c" } })).points).toBe(400);
  }, 30_000);

  it.runIf(testDialect === "sqlite")("pings a healthy file", async () => {
    db = await openDatabase(await freshDatabaseUrl());
    expect(await db.ping(100)).toBe(true);
  });
});

/** SQLite's temporary files this process holds open (they are unlinked at once: "/var/tmp/etilqs_… (deleted)"). */
function openTempFiles(): string[] {
  return readdirSync("/proc/self/fd").map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return ""; } }).filter((p) => p.includes("etilqs_"));
}
