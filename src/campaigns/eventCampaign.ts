import { createHash } from "node:crypto";
import type { Campaign } from "./Campaign";
import type { Audience } from "./schema";

/** A conversion window for one-off sends: the campaign files' default. */
const WINDOW_MS = 7 * 86_400_000;

/**
 * The one-off campaign `rapport events send <event>` hands to the running bot (issue 15: events send
 * is a thin case of campaigns): one variant that starts the event's flow for each contact of
 * `audience` (resolved contact ids, a segment, or everyone), now. It goes the campaigns' way: one
 * delivery per contact, claimed and started once (also across a kill -9), paced behind conversation
 * replies, the frequency cap and quiet hours applied, paused, resumed, cancelled and reported with
 * `rapport campaigns`. Its consent mode is `opt_out` whatever MARKETING_CONSENT says: this is how
 * customers are asked for consent, so it cannot require it, but whoever said /stop is left out.
 * Named `<event>-<UTC yyyymmdd-hhmmss><suffix>`, so each send is a campaign of its own.
 */
export function eventCampaign(event: string, audience: Audience, data: Record<string, unknown>, now = new Date(), suffix = ""): Campaign {
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  const definition = JSON.stringify({ event, audience, data });
  return {
    name: `${event}-${stamp}${suffix}`, file: "(rapport events send)", hash: createHash("sha256").update(definition).digest("hex"),
    description: `rapport events send ${event}`, audience, variants: [{ name: "a", split: 100, start: { event, data } }],
    when: { kind: "now" }, conversionWindowMs: WINDOW_MS, valueAt: {}, consent: "opt_out",
  };
}
