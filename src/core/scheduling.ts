import type { Tx } from "../db/lockContact";
import { ServiceKey } from "./services";

/** Work for later, for one contact: start the flow of a named event, or resume a flow after `wait`. */
export interface ScheduledWork {
  kind: "event" | "resume";
  contactId: string;
  /** The event name, or the id of the flow to resume. */
  name: string;
  data?: Record<string, unknown>;
  dueAt: Date;
  /** Unique per scheduling (a step run): scheduling again with it changes nothing. */
  key: string;
  /** Runs in the transaction that stores the work, before commit (a flow action stores its answer with it). */
  within?: (tx: Tx) => Promise<void>;
}

/**
 * Stores work to run later so it survives restarts; the jobs module runs it once when due. Flows
 * reach it through this key (the `wait` step, the `schedule.event` action) without importing jobs.
 */
export interface Scheduler {
  schedule(work: ScheduledWork): Promise<void>;
}

/** The scheduler's service key. */
export const SCHEDULER = new ServiceKey<Scheduler>("jobs.scheduler");
