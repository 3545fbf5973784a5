import type { App } from "../app/createApp";
import { RapportError } from "../core/errors";
import { newId } from "../core/ids";
import { SEGMENT_NAMES } from "../feedback/rfm";
import { suggest } from "../flows/suggest";
import { resolveContactId } from "../history/timeline";
import { Progress } from "./progress";
import { UsageError } from "./UsageError";

/** Who gets the event: listed contacts, a segment, or everyone. */
export interface EventAudience {
  contacts: string[];
  segment?: string;
  all: boolean;
}

/** A send to more customers than this (or to --all) needs --yes; without it only the count is shown. */
export const CAMPAIGN_SIZE = 20;

/** A campaign-sized send without --yes: nothing was scheduled; the message says how many it would reach. */
export class ConfirmationNeededError extends RapportError {
  readonly code = "rapport_confirmation_needed";
  constructor(readonly event: string, readonly customers: number, audience: string) {
    super(`${event} would start for ${customers} ${customers === 1 ? "customer" : "customers"} (${audience}); nothing was sent\n  hint: add --yes to send it`);
  }
}

/**
 * `rapport events send <event> (--contact C[,C…] | --segment S | --all) [--data JSON] [--yes]`: starts
 * the flow of a named event for many customers, such as `nps.ask` for the `at_risk` segment. Each
 * customer gets a job due now; the running bot (`npm start`) delivers them, each once, and tries
 * again later for a customer who is in another conversation. Prints progress, then how many were
 * scheduled. Refuses, before scheduling anything, an event no flow listens to and a segment that
 * does not exist (a typo would reach nobody, or the wrong flow nobody), each with the closest name;
 * a send to more than CAMPAIGN_SIZE customers, or to everyone, needs `yes`.
 */
export async function runEventsSend(app: App, event: string, audience: EventAudience, options: { data?: string; yes?: boolean }, out: NodeJS.WritableStream, err: NodeJS.WritableStream & { isTTY?: boolean }): Promise<number> {
  const events = [...new Set(app.catalog.all().flatMap((f) => f.triggers.flatMap((t) => (t.event ? [t.event] : []))))].sort();
  if (!events.includes(event)) {
    const hint = suggest(event, events);
    throw new UsageError(`no flow listens to the event "${event}"${hint ? `; did you mean "${hint}"?` : ""} Events flows listen to: ${events.join(", ") || "(none)"}`);
  }
  const chosen = [audience.contacts.length > 0, audience.segment !== undefined, audience.all].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError("events send needs exactly one of --contact <id or channel:id>[,…], --segment <name> or --all");
  const data = parseData(options.data);
  const db = app.db;
  if (audience.segment !== undefined) {
    const stored = (await db.prisma.contact.findMany({ where: { segment: { not: null } }, distinct: ["segment"], select: { segment: true } })).map((c) => c.segment!);
    const segments = [...new Set([...SEGMENT_NAMES, ...stored])];
    if (!segments.includes(audience.segment)) {
      const hint = suggest(audience.segment, segments);
      throw new UsageError(`there is no segment "${audience.segment}"${hint ? `; did you mean "${hint}"?` : ""} Segments: ${segments.join(", ")}`);
    }
  }
  const ids = [...new Set(audience.contacts.length > 0
    ? await Promise.all(audience.contacts.map((c) => resolveContactId(db, c)))
    : (await db.prisma.contact.findMany({ where: audience.segment !== undefined ? { segment: audience.segment } : {}, select: { id: true }, orderBy: { id: "asc" } })).map((c) => c.id))];
  const who = audience.all ? "everyone" : audience.segment !== undefined ? `segment ${audience.segment}` : "the contacts listed";
  if ((audience.all || ids.length > CAMPAIGN_SIZE) && !options.yes) throw new ConfirmationNeededError(event, ids.length, who);
  const run = newId();
  const progress = new Progress(err, ids.length, "events send", "contacts");
  const dueAt = new Date();
  for (const contactId of ids) {
    await app.jobs.schedule({ kind: "event", contactId, name: event, data, dueAt, key: `send:${run}:${contactId}` });
    progress.tick();
  }
  progress.done();
  out.write(`${ids.length} ${ids.length === 1 ? "customer" : "customers"} (${who}) scheduled for ${event}; the running bot (npm start) delivers them\n`);
  return 0;
}

/** `--data`: a JSON object for the flow, or a usage error saying so. */
function parseData(json: string | undefined): Record<string, unknown> {
  if (json === undefined) return {};
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new UsageError(`--data must be a JSON object, e.g. '{"campaign":"nov"}'; got ${json}`);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new UsageError(`--data must be a JSON object, got ${json}`);
  return data as Record<string, unknown>;
}
