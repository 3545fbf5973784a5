import { deleteInBatches } from "../db/deleteInBatches";
import { newId } from "../core/ids";
import type { Logger } from "../core/log";
import type { ScheduledWork, Scheduler } from "../core/scheduling";
import type { Database, Prisma } from "../db/Database";
import { sql, type Row } from "../db/plan";
import { isUniqueViolation } from "../db/retry";
import { recordInteraction } from "../history/recordInteraction";

/** A claimed job, as the runner gets it. */
export interface DueJob {
  id: string;
  kind: "event" | "resume";
  contactId: string;
  name: string;
  data: Record<string, unknown>;
  attempts: number;
}

/**
 * Runs a due job. "done" ends it; "later" (the customer was in another conversation) ends it and
 * schedules a follow-up after `busyRetryMs`, up to `busyRetries` times; a throw is retried with backoff. The runner must be idempotent per job id
 * (the engine stores the id with the turn it runs: a job re-run after a crash does nothing twice).
 */
export type JobRunner = (job: DueJob) => Promise<"done" | "later">;

/** Scheduler settings; the defaults suit production, tests shorten them. */
export interface JobSchedulerOptions {
  /**
   * The customer channels this process can send on: only jobs for contacts reachable there are
   * claimed (a process without Telegram leaves Telegram customers' work to one that has it).
   */
  channels?: () => string[];
  /** How often due jobs are looked for. */
  pollMs?: number;
  /**
   * A claimed job is leased this long (default 30 s), renewed every third of it while this process
   * holds it; a killed runner's jobs are taken again by another process once it runs out.
   */
  leaseMs?: number;
  /** Wait before running a job again whose customer was busy, and how many times. */
  busyRetryMs?: number;
  busyRetries?: number;
}

const BATCH = 20;
/** Where a follow-up job counts its busy retries; stripped before the data reaches a flow. */
export const BUSY_RETRIES = "_busyRetries";
const FAILURE_DELAYS_MS = [60_000, 300_000, 1_800_000, 7_200_000];

/**
 * Stored scheduled work (`scheduled_jobs`): flows' timers and events due later. A job survives
 * restarts, runs once even if the process was down when it came due (the next start finds it
 * overdue), and never twice: due rows are claimed in one statement (on PostgreSQL with FOR UPDATE
 * SKIP LOCKED, so instances polling together split the work), leased, and marked done; the runner
 * itself is idempotent per job id. The database is the queue, so no extra service is needed.
 */
export class JobScheduler implements Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopping = false;
  /** Jobs this process claimed and has not finished or given back: their leases are renewed. */
  private readonly held = new Set<string>();

  constructor(private readonly db: Database, private readonly runner: JobRunner, private readonly log: Logger, private readonly options: JobSchedulerOptions = {}) {}

  /** Stores work for later; a second call with the same key changes nothing. */
  async schedule(work: ScheduledWork): Promise<void> {
    try {
      const within = work.within;
      if (!within) await insertJob(this.db.prisma, work);
      else await this.db.prisma.$transaction(async (tx) => { await insertJob(tx, work); await within(tx as never); });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error; // scheduled already (a retried turn)
    }
  }

  /** Runs due jobs every `pollMs` (the first look at once: work that came due while the process was down). */
  start(): void {
    if (this.timer) return;
    this.stopping = false;
    // A tick while a pass runs is skipped, not queued: the pass goes on until nothing is due.
    const tick = () => { if (!this.running) void this.runDue().catch((error: unknown) => this.log.error("scheduled jobs failed", { error: error as Error })); };
    this.timer = setInterval(tick, this.options.pollMs ?? 5_000);
    this.timer.unref();
    tick();
  }

  /** Stops polling, finishes the job being run, and hands the rest of its batch back. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => 0);
  }

  /** Claims and runs every job due at `now`; returns how many finished. One pass at a time per process. */
  async runDue(now = new Date()): Promise<number> {
    while (this.running) await this.running.catch(() => 0);
    this.running = this.pass(now);
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  /** Deletes finished jobs older than `keepMs` (30 days): their turns are in the history already. */
  async purgeFinished(now = new Date(), keepMs = 30 * 86_400_000): Promise<number> {
    // A plain statement: the sweeper runs this every minute in every process (see db/anyRow).
    return deleteInBatches(this.db, "scheduled_jobs", "id", "status IN ('done', 'failed') AND done_at < ?", [new Date(now.getTime() - keepMs)]);
  }

  private async pass(now: Date): Promise<number> {
    let done = 0;
    // While jobs are held, their leases are renewed (a kill -9 stops that, and another process takes them
    // within a lease: seconds, where a five-minute lease left a killed batch waiting that long).
    const leaseMs = this.options.leaseMs ?? 30_000;
    const heartbeat = setInterval(() => {
      if (this.held.size === 0) return;
      void this.db.prisma.scheduledJob.updateMany({ where: { id: { in: [...this.held] }, status: "running" }, data: { lockedUntil: this.leaseEnd(now) } })
        .catch((error: unknown) => this.log.warn("could not renew the leases of scheduled jobs", { error: error as Error }));
    }, Math.max(50, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    try {
      for (;;) {
        const jobs = await this.claim(now);
        for (const job of jobs) this.held.add(job.id);
        for (const [i, job] of jobs.entries()) {
          if (this.stopping) {
            for (const left of jobs.slice(i)) { await this.release(left.id, now); this.held.delete(left.id); }
            return done;
          }
          // Renew the lease as each job starts too: a batch that waited behind a slow job starts each on a full lease.
          const held = await this.db.prisma.scheduledJob.updateMany({ where: { id: job.id, status: "running" }, data: { lockedUntil: this.leaseEnd(now) } });
          if (held.count > 0) done += (await this.runOne(job, now)) ? 1 : 0;
          this.held.delete(job.id);
        }
        if (jobs.length < BATCH) return done;
      }
    } finally {
      clearInterval(heartbeat);
      this.held.clear();
    }
  }

  /** When a lease taken now ends: from the later of `now` (tests look ahead) and the clock. */
  private leaseEnd(now: Date): Date {
    return new Date(Math.max(now.getTime(), Date.now()) + (this.options.leaseMs ?? 30_000));
  }

  /** Takes up to BATCH due jobs (pending and due, or running with an expired lease) in one statement. */
  private async claim(now: Date): Promise<DueJob[]> {
    const channels = this.options.channels?.() ?? [];
    if (this.options.channels && channels.length === 0) return []; // no customer channel here (a CLI command)
    const reachable = this.options.channels
      ? `AND EXISTS (SELECT 1 FROM channel_identities i WHERE i.contact_id = scheduled_jobs.contact_id AND i.channel IN (${channels.map(() => "?").join(",")}))`
      : "";
    const skipLocked = this.db.dialect === "postgresql" ? "FOR UPDATE SKIP LOCKED" : "";
    const rows = await this.db.query(sql(
      `UPDATE scheduled_jobs SET status = 'running', locked_until = ?, attempts = attempts + 1
       WHERE id IN (SELECT id FROM scheduled_jobs
         WHERE ((status = 'pending' AND due_at <= ?) OR (status = 'running' AND locked_until < ?)) ${reachable}
         ORDER BY due_at LIMIT ${BATCH} ${skipLocked})
       RETURNING id, kind, contact_id, name, data, attempts`,
      this.leaseEnd(now), now, new Date(Math.max(now.getTime(), Date.now())), ...(this.options.channels ? channels : []),
    ));
    return rows.map(toJob);
  }

  private async runOne(job: DueJob, now: Date): Promise<boolean> {
    try {
      const outcome = await this.runner(job);
      const tried = Number(job.data[BUSY_RETRIES] ?? 0);
      if (outcome === "later" && tried < (this.options.busyRetries ?? 6)) {
        // The runner recorded this try (its id is used up): a follow-up job tries again later.
        await this.schedule({ kind: job.kind, contactId: job.contactId, name: job.name, data: { ...job.data, [BUSY_RETRIES]: tried + 1 },
          dueAt: new Date(now.getTime() + (this.options.busyRetryMs ?? 10 * 60_000)), key: `${job.id}:later` });
      } else if (outcome === "later") {
        // Given up: said in the log and in the customer's history, never dropped without a trace.
        this.log.warn("scheduled work dropped: the customer stayed busy", { jobId: job.id, kind: job.kind, name: job.name, tries: tried + 1 });
        await recordInteraction(this.db.prisma, job.contactId, { direction: "event", kind: "job.dropped", actor: "system", text: job.name, data: { jobId: job.id, kind: job.kind, tries: tried + 1, reason: "customer busy" } });
      }
      await this.db.prisma.scheduledJob.updateMany({ where: { id: job.id, status: "running" }, data: { status: "done", doneAt: new Date(), lockedUntil: null } });
      return true;
    } catch (error) {
      const delay = FAILURE_DELAYS_MS[job.attempts - 1];
      this.log.error("a scheduled job failed", { jobId: job.id, kind: job.kind, attempts: job.attempts, willRetry: delay !== undefined, error: error as Error });
      if (delay === undefined) {
        await this.db.prisma.scheduledJob.updateMany({ where: { id: job.id }, data: { status: "failed", doneAt: new Date(), lastError: String((error as Error)?.message ?? error).slice(0, 1000), lockedUntil: null } });
      } else {
        await this.release(job.id, new Date(now.getTime() + delay), String((error as Error)?.message ?? error).slice(0, 1000));
      }
      return false;
    }
  }

  private async release(id: string, dueAt: Date, lastError?: string): Promise<void> {
    await this.db.prisma.scheduledJob.updateMany({ where: { id, status: "running" }, data: { status: "pending", dueAt, lockedUntil: null, ...(lastError ? { lastError } : {}) } });
  }
}

/**
 * Stores work for later inside the caller's transaction, so it commits with the change it follows
 * (a ticket closing schedules `ticket.resolved`). A repeated key is a unique violation for the caller.
 */
export async function insertJob(tx: Pick<Prisma, "scheduledJob">, work: ScheduledWork): Promise<void> {
  await tx.scheduledJob.create({ data: {
    id: newId(), kind: work.kind, contactId: work.contactId, name: work.name, data: work.data ? JSON.stringify(work.data) : null,
    dueAt: work.dueAt, status: "pending", idempotencyKey: work.key,
  } });
}

function toJob(r: Row): DueJob {
  return {
    id: r.id as string,
    kind: r.kind as DueJob["kind"],
    contactId: r.contact_id as string,
    name: r.name as string,
    data: r.data ? (JSON.parse(r.data as string) as Record<string, unknown>) : {},
    attempts: Number(r.attempts),
  };
}
