/**
 * The sweeper's purges delete in short statements (issue 17: they run on the hot connection, whose
 * PostgreSQL statements time out after seconds): a backlog larger than one batch goes in several,
 * all of it, and only what the condition picks.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/Database";
import { deleteInBatches } from "../../src/db/deleteInBatches";
import { migrate } from "../../src/db/migrate";
import { sql, sqlWith } from "../../src/db/plan";
import { dropDatabase, freshDatabaseUrl } from "../helpers/database";

let db: Database | undefined;
let url: string | undefined;
afterEach(async () => { await db?.close(); db = undefined; if (url) await dropDatabase(url); url = undefined; });

async function withJobs(done: number, pending: number): Promise<Database> {
  url = await freshDatabaseUrl();
  db = await openDatabase(url);
  await migrate(db);
  await db.query(sql("INSERT INTO contacts (id, created_at, updated_at) VALUES ('c', ?, ?)", new Date(), new Date()));
  const old = new Date(Date.now() - 40 * 86_400_000);
  const rows = Array.from({ length: done + pending }, (_, n) => [`j${String(n).padStart(4, "0")}`, n < done ? "done" : "pending", n < done ? old : null]);
  for (let at = 0; at < rows.length; at += 200) {
    const part = rows.slice(at, at + 200);
    await db.query(sqlWith(`INSERT INTO scheduled_jobs (id, idempotency_key, kind, contact_id, name, data, due_at, status, attempts, done_at, created_at) VALUES ${part.map(() => "(?, ?, 'event', 'c', 'x', '{}', ?, ?, 1, ?, ?)").join(", ")}`,
      part.flatMap(([id, status, doneAt]) => [id, id, old, status, doneAt, old])));
  }
  return db;
}

describe("deleteInBatches", () => {
  it("deletes a backlog larger than one batch, batch by batch, and nothing the condition leaves out", async () => {
    const d = await withJobs(7, 2);
    const statements: string[] = [];
    const query = d.query.bind(d);
    d.query = (s) => { statements.push(s.sql); return query(s); };
    expect(await deleteInBatches(d, "scheduled_jobs", "id", "status = 'done'", [], 3)).toBe(7);
    expect(statements).toHaveLength(3); // 3 + 3 + 1: the short batch ends it
    expect((await query(sql("SELECT status FROM scheduled_jobs"))).map((r) => r.status)).toEqual(["pending", "pending"]);
  });

  it("purgeFinished takes every finished job past its age, over several batches", async () => {
    const { JobScheduler } = await import("../../src/jobs/JobScheduler");
    const { silentLogger } = await import("../../src/core/log");
    const d = await withJobs(2_500, 1);
    const jobs = new JobScheduler(d, async () => "done", silentLogger);
    expect(await jobs.purgeFinished()).toBe(2_500);
    expect(Number((await d.query(sql("SELECT COUNT(*) AS n FROM scheduled_jobs")))[0]!.n)).toBe(1);
  });
});
