/**
 * Issue 17, goal 4: N instances, proven. Three real `rapport start` processes (the compiled CLI) on
 * one PostgreSQL database, in webhook mode behind a round-robin proxy, with the Bot API emulator and
 * the Slack fake in HTTP mode. Customers chat, hand off to a person who answers from Slack, scheduled
 * jobs come due and the sweeper answers unfinished messages, while the instance that sweeps is killed
 * with SIGKILL and started again. Sized for CI (MULTI_INSTANCE_CUSTOMERS, default 90);
 * `npm run bench:instances` runs 1,000 customers through the same scenario and checks.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dropDatabase, freshDatabaseUrl, testDialect } from "../helpers/database";
import { runScenario, type ScenarioRun } from "../helpers/instances/scenario";
import { verify } from "../helpers/instances/verify";

const customers = Number(process.env.MULTI_INSTANCE_CUSTOMERS || 90);
let run: ScenarioRun | undefined;
let url: string | undefined;
afterAll(async () => {
  await run?.stop();
  if (url) await dropDatabase(url);
});

describe.skipIf(testDialect !== "postgresql")("three rapport start instances on one PostgreSQL database", () => {
  it(`serve ${customers} customers through a kill -9 of the sweeping instance: every update once and in order, each job, sweep and staff reply once`, async () => {
    url = await freshDatabaseUrl();
    const logDir = mkdtempSync(join(tmpdir(), "rapport-instances-"));
    run = await runScenario({
      databaseUrl: url, logDir, instances: 3, customers, handoffEvery: 6, jobs: 30, planted: 10, kill: true, staffReplies: 2, drainMs: 40_000,
    });
    const v = await verify(run);
    expect(v.problems, `logs in ${logDir}`).toEqual([]);
    // The run did what it is about: load spread over the three, chats hopping between them, a failover.
    expect(run.killed).toBeDefined();
    expect(v.perInstance.every((n) => n > 0)).toBe(true);
    expect(v.chatsAcrossInstances).toBeGreaterThan(customers / 2);
    expect(v.updates).toBeGreaterThan(customers * 4);
    expect(v.jobsRun).toBe(30);
    expect(v.plantedAnswered).toBe(20);
    expect(v.staffRepliesRelayed + v.orphanCardReplies).toBe(run.handoffs.length * 2);
    expect(v.leaderChanges).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
