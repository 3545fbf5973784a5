import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/Database";
import { LEADER_LOCKS } from "../../src/db/Leadership";
import { Sweeper } from "../../src/jobs/Sweeper";
import { silentLogger } from "../../src/core/log";
import { dropDatabase, freshDatabaseUrl, testDialect } from "../helpers/database";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

/** Polls `check` every 10 ms until it holds, or fails naming `what` after `ms`. */
async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A database two "instances" share; each opens its own connections, as separate processes would. */
async function shared(): Promise<() => Promise<Database>> {
  const url = await freshDatabaseUrl();
  cleanups.push(() => dropDatabase(url));
  return async () => {
    const db = await openDatabase(url);
    cleanups.push(() => db.close());
    return db;
  };
}

/** A sweeper whose one task notes which instance ran it, ticking every 20 ms. */
function sweeper(name: string, db: Database, runs: string[]): Sweeper {
  const s = new Sweeper([{ name: "note", run: async () => { runs.push(name); return 0; } }], silentLogger, 20, db.leadership(LEADER_LOCKS.sweeper));
  cleanups.push(() => s.stop());
  return s;
}

describe("Sweeper", () => {
  it("runs every task at each tick and again at the next", async () => {
    const open = await shared();
    const runs: string[] = [];
    const s = sweeper("a", await open(), runs);
    s.start();
    await until("three ticks", () => runs.length >= 3);
    expect(new Set(runs)).toEqual(new Set(["a"]));
  });

  it("runs a tick asked for directly (rapport loyalty sweep) whoever leads", async () => {
    const open = await shared();
    const runs: string[] = [];
    const leader = sweeper("a", await open(), runs);
    leader.start();
    await until("the leader's first tick", () => runs.length > 0);
    const other = sweeper("b", await open(), runs);
    await other.tick();
    expect(runs).toContain("b");
  });

  it.skipIf(testDialect !== "postgresql")("sweeps on one instance at a time: the leader holds an advisory lock; another takes over when it stops", async () => {
    const open = await shared();
    const runs: string[] = [];
    const a = sweeper("a", await open(), runs);
    const b = sweeper("b", await open(), runs);
    const c = sweeper("c", await open(), runs);
    a.start(); b.start(); c.start(); // three instances starting together
    await until("ten sweeps", () => runs.length >= 10);
    const leader = runs[0]!;
    expect(new Set(runs)).toEqual(new Set([leader]));
    const sweepers = { a, b, c };
    await sweepers[leader as "a" | "b" | "c"].stop(); // gives the lock back
    const before = runs.length;
    await until("another instance sweeping", () => runs.slice(before).some((r) => r !== leader));
    const after = runs.slice(before).filter((r) => r !== leader);
    expect(new Set(after).size).toBe(1); // one new leader, not both
  });

  it.skipIf(testDialect !== "postgresql")("loses the lead with its lock connection (a leader killed -9) and one instance sweeps on", async () => {
    const open = await shared();
    const runs: string[] = [];
    const a = sweeper("a", await open(), runs);
    const b = sweeper("b", await open(), runs);
    a.start(); b.start();
    await until("a leader", () => runs.length >= 3);
    const db = await open();
    // The server's view: one session holds the sweeper's lock, named after the process that leads.
    const holders = () => db.prisma.$queryRawUnsafe<{ pid: number; application_name: string }[]>(
      `SELECT a.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted AND a.datname = current_database()`, LEADER_LOCKS.sweeper);
    const [holder, ...others] = await holders();
    expect(others).toEqual([]);
    expect(holder!.application_name).toBe(`rapport leader ${LEADER_LOCKS.sweeper} pid ${process.pid}`);
    await db.prisma.$queryRawUnsafe(`SELECT pg_terminate_backend($1)`, holder!.pid); // the leader's connection dies
    const end = Date.now() + 10_000;
    let now = await holders();
    while ((now.length === 0 || now[0]!.pid === holder!.pid) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
      now = await holders();
    }
    expect(now).toHaveLength(1);
    const before = runs.length;
    await until("sweeps after the failover", () => runs.length >= before + 5);
    // From here on a single instance sweeps, whichever took the lock.
    const later = runs.slice(before + 1);
    expect(new Set(later).size).toBe(1);
  });
});
