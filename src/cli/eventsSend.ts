import { newId } from "../core/ids";
import type { Database } from "../db/Database";
import { resolveContactId } from "../history/timeline";
import type { JobScheduler } from "../jobs/JobScheduler";
import { UsageError } from "./args";
import { Progress } from "./progress";

/** Who gets the event: listed contacts, a segment, or everyone. */
export interface EventAudience {
  contacts: string[];
  segment?: string;
  all: boolean;
}

/**
 * `rapport events send <event> (--contact C[,C…] | --segment S | --all) [--data JSON]`: starts the flow
 * of a named event for many customers, such as `nps.ask` for the `at_risk` segment. Each customer
 * gets a job due now; the running bot (`npm start`) delivers them, each once, and tries again later
 * for a customer who is in another conversation. Prints progress, then how many were scheduled.
 */
export async function runEventsSend(db: Database, jobs: JobScheduler, event: string | undefined, audience: EventAudience, dataJson: string | undefined, out: NodeJS.WritableStream, err: NodeJS.WritableStream & { isTTY?: boolean }): Promise<number> {
  if (!event || !/^[a-z][a-z0-9_.-]*$/i.test(event)) throw new UsageError("events send needs an event name such as nps.ask: rapport events send nps.ask --segment at_risk");
  const chosen = [audience.contacts.length > 0, audience.segment !== undefined, audience.all].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError("events send needs exactly one of --contact <id or channel:id>[,…], --segment <name> or --all");
  let data: Record<string, unknown> = {};
  if (dataJson !== undefined) {
    try {
      data = JSON.parse(dataJson) as Record<string, unknown>;
    } catch {
      throw new UsageError(`--data must be a JSON object, e.g. '{"campaign":"nov"}'; got ${dataJson}`);
    }
    if (!data || typeof data !== "object" || Array.isArray(data)) throw new UsageError(`--data must be a JSON object, got ${dataJson}`);
  }
  const ids = audience.contacts.length > 0
    ? await Promise.all(audience.contacts.map((c) => resolveContactId(db.prisma, c)))
    : (await db.prisma.contact.findMany({ where: audience.segment !== undefined ? { segment: audience.segment } : {}, select: { id: true }, orderBy: { id: "asc" } })).map((c) => c.id);
  const run = newId();
  const progress = new Progress(err, ids.length, "events send", "contacts");
  const dueAt = new Date();
  for (const contactId of new Set(ids)) {
    await jobs.schedule({ kind: "event", contactId, name: event, data, dueAt, key: `send:${run}:${contactId}` });
    progress.tick();
  }
  progress.done();
  const n = new Set(ids).size;
  out.write(`${n} ${n === 1 ? "customer" : "customers"} scheduled for ${event}; the running bot (npm start) delivers them\n`);
  return 0;
}
