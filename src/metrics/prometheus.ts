import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Telemetry } from "../core/telemetry";
import type { SqlReader } from "../db/openReader";
import { sql } from "../db/plan";

/** A queue whose depth `/metrics` reports: a name and a count of rows waiting to be sent. */
export interface OutboxSource {
  name: string;
  depth(): Promise<number>;
}

/** The Prometheus side of a running process: its registry, the collector to install, the text to serve. */
export interface Metrics {
  readonly registry: Registry;
  readonly telemetry: Telemetry;
  /** Adds an outbox to `rapport_outbox_depth` (the message outbox, the support relay's). */
  addOutbox(source: OutboxSource): void;
  /** The exposition text; gauges that need the database are read now, a failed read leaves them out. */
  render(): Promise<string>;
  readonly contentType: string;
}

/** Turn latency buckets, seconds: a turn takes milliseconds, a slow database seconds. */
const TURN_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Rapport's metrics with prom-client (issue 17, goal 6): counters fed by the hot path through
 * core/telemetry (messages in and out, send failures, database errors), the turn latency histogram,
 * and gauges read from the database at each scrape (due and scheduled jobs, outbox depth), plus
 * Node's process metrics. Loaded only when METRICS_TOKEN is set. Every instance serves its own
 * counters; the gauges read from the database are the same on each (sum the counters, not those).
 */
export function createMetrics(db: SqlReader, options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const messagesIn = new Counter({ name: "rapport_messages_in_total", help: "Customer messages delivered to the engine (a redelivery counts again).", labelNames: ["channel"], registers: [registry] });
  const messagesOut = new Counter({ name: "rapport_messages_out_total", help: "Replies and notices accepted by their channel.", labelNames: ["channel"], registers: [registry] });
  const sendFailures = new Counter({ name: "rapport_send_failures_total", help: "Sends a channel refused; reason unreachable: the customer blocked the bot or is gone.", labelNames: ["channel", "reason"], registers: [registry] });
  const dbErrors = new Counter({ name: "rapport_db_errors_total", help: "Failed database calls; kind transient ones (busy, restarting, unreachable) are retried.", labelNames: ["kind"], registers: [registry] });
  const turns = new Histogram({ name: "rapport_turn_duration_seconds", help: "One inbound message, from delivery until it is stored, handled and its replies handed to the channel.", buckets: TURN_BUCKETS, registers: [registry] });
  const outboxes: OutboxSource[] = [];
  // Gauges that read the database have a registry of their own: when it is down, the rest is still served.
  const fromDatabase = new Registry();
  new Gauge({
    name: "rapport_job_queue_depth", help: "Scheduled work waiting: state due (its time has come) or scheduled (later).", labelNames: ["state"], registers: [fromDatabase],
    async collect() {
      const [row] = await db.query(sql(`SELECT SUM(CASE WHEN due_at <= ? THEN 1 ELSE 0 END) AS due, COUNT(*) AS total FROM scheduled_jobs WHERE status = 'pending'`, new Date()));
      const due = Number(row?.due ?? 0), total = Number(row?.total ?? 0);
      this.set({ state: "due" }, due);
      this.set({ state: "scheduled" }, total - due);
    },
  });
  new Gauge({
    name: "rapport_outbox_depth", help: "Messages waiting in an outbox to be sent.", labelNames: ["outbox"], registers: [fromDatabase],
    async collect() {
      for (const o of outboxes) this.set({ outbox: o.name }, await o.depth());
    },
  });
  const telemetry: Telemetry = {
    messageIn: (channel) => messagesIn.inc({ channel }),
    messageOut: (channel) => messagesOut.inc({ channel }),
    sendFailed: (channel, unreachable) => sendFailures.inc({ channel, reason: unreachable ? "unreachable" : "error" }),
    turnSeconds: (seconds) => turns.observe(seconds),
    dbError: (transient) => dbErrors.inc({ kind: transient ? "transient" : "permanent" }),
  };
  return {
    registry, telemetry, contentType: registry.contentType,
    addOutbox: (source) => void outboxes.push(source),
    async render() {
      const own = await registry.metrics();
      try {
        return own + (await fromDatabase.metrics());
      } catch {
        telemetry.dbError(true); // the database did not answer: serve what this process counted
        return own;
      }
    },
  };
}

/** The support relay's outbox (ticket_messages waiting to reach staff or the customer). */
export function ticketOutbox(db: SqlReader): OutboxSource {
  return { name: "support", depth: async () => Number((await db.query(sql(`SELECT COUNT(*) AS n FROM ticket_messages WHERE status = 'pending'`)))[0]?.n ?? 0) };
}

/**
 * The message outbox as `rapport_outbox_depth{outbox="messages"}`: every reply, notice and campaign
 * message not yet accepted by its channel (waiting, being retried, or held by a paused campaign). A
 * depth that keeps growing means a channel is down or slower than what is queued for it.
 */
export function messageOutbox(db: SqlReader): OutboxSource {
  return { name: "messages", depth: async () => Number((await db.query(sql(`SELECT (SELECT COUNT(*) FROM outbox WHERE status = 'pending') + (SELECT COUNT(*) FROM outbox WHERE source IS NOT NULL AND status = 'held') AS n`)))[0]?.n ?? 0) };
}
