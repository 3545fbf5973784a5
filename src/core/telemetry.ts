/**
 * What the running process counts for operators (issue 17, `/metrics`): messages in and out, failed
 * sends, turn latency, database errors. Code on the hot path calls these; they do nothing until
 * `start` installs a collector (metrics/prometheus.ts, only when METRICS_TOKEN is set), so a process
 * without metrics neither loads the client library nor pays for counting.
 */
export interface Telemetry {
  /** A customer message reached the engine (before deduplication: a redelivery counts again). */
  messageIn(channel: string): void;
  /** A reply or notice was accepted by its channel. */
  messageOut(channel: string): void;
  /** A channel refused a send; `unreachable` when the customer blocked the bot or is gone. */
  sendFailed(channel: string, unreachable: boolean): void;
  /** One inbound message's handling, from delivery to its replies handed to the channel. */
  turnSeconds(seconds: number): void;
  /** A database call failed; `transient` ones are retried (busy, restarting, unreachable). */
  dbError(transient: boolean): void;
}

const NONE: Telemetry = { messageIn() {}, messageOut() {}, sendFailed() {}, turnSeconds() {}, dbError() {} };

/** The installed collector (a no-op one by default). Read it at each call: it can be installed after import. */
export let telemetry: Telemetry = NONE;

/** Installs the collector the process reports to; `undefined` restores the no-op one (tests). */
export function installTelemetry(collector: Telemetry | undefined): void {
  telemetry = collector ?? NONE;
}
