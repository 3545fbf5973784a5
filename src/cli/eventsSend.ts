import type { App } from "../app/createApp";
import { RapportError } from "../core/errors";
import { SEGMENT_NAMES } from "../feedback/rfm";
import { suggest } from "../flows/suggest";
import { resolveContactId } from "../history/timeline";
import { selectAudience } from "../campaigns/audience";
import { CampaignAlreadySentError } from "../campaigns/errors";
import { eventCampaign } from "../campaigns/eventCampaign";
import type { Audience } from "../campaigns/schema";
import { UsageError } from "./UsageError";

/** Who gets the event: listed contacts, a segment, or everyone (not erased). */
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
 * the flow of a named event for many customers, such as `nps.ask` for the `at_risk` segment, as a
 * one-off campaign (eventCampaign): the running bot (`npm start`) starts it for each customer once,
 * paced behind conversation replies, later for one busy in another conversation or in their quiet
 * hours or over the frequency cap, never for one who said /stop; `rapport campaigns status|pause|
 * cancel <name>` follow it. Refuses, before sending anything, an event no flow listens to and a
 * segment that does not exist (a typo would reach nobody, or the wrong flow nobody), each with the
 * closest name; a send to more than CAMPAIGN_SIZE customers, or to everyone, needs `yes`.
 */
export async function runEventsSend(app: App, event: string, audience: EventAudience, options: { data?: string; yes?: boolean; actor?: string }, out: NodeJS.WritableStream): Promise<number> {
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
  const listed = audience.contacts.length > 0 ? [...new Set(await Promise.all(audience.contacts.map((c) => resolveContactId(db, c))))] : undefined;
  const who: Audience = listed ? { contacts: listed } : audience.segment !== undefined ? { segment: [audience.segment] as Audience["segment"] } : {};
  const size = listed?.length ?? (await selectAudience(db, who)).length;
  const label = audience.all ? "everyone" : audience.segment !== undefined ? `segment ${audience.segment}` : "the contacts listed";
  if ((audience.all || size > CAMPAIGN_SIZE) && !options.yes) throw new ConfirmationNeededError(event, size, label);
  const now = new Date();
  for (let attempt = 1; ; attempt++) {
    try {
      const row = await app.campaigns.store.send(eventCampaign(event, who, data, now, attempt === 1 ? "" : `-${attempt}`), options.actor ?? "operator");
      out.write(`${size} ${size === 1 ? "customer" : "customers"} (${label}) get ${event} from the running bot (npm start) as campaign ${row.name}, `
        + `leaving out who said /stop, later for who is busy, in quiet hours or over the frequency cap; follow it with: rapport campaigns status ${row.name}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof CampaignAlreadySentError) || attempt >= 9) throw error; // the same event twice within a second
    }
  }
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
