import type { Position } from "../flows/types";
import type { ConsentMode } from "../marketing/consent";
import type { Audience, CampaignMessage, CampaignStart } from "./schema";

/** One A/B variant: its share of the audience and what it sends. Campaigns without variants have one, "a". */
export interface CampaignVariant {
  name: string;
  /** Percent of the audience (the variants' shares add up to 100). */
  split: number;
  message?: CampaignMessage;
  start?: CampaignStart;
}

/** When a campaign goes out: at once, at a time, or to each contact who enters its audience. */
export type CampaignWhen = { kind: "now" } | { kind: "at"; at: Date } | { kind: "ongoing" };

/** A campaign file, validated and normalised: what `campaigns preview` and `send` work from. */
export interface Campaign {
  /** The file's name without .yaml. */
  name: string;
  file: string;
  /** sha256 of the file's text. */
  hash: string;
  description?: string;
  audience: Audience;
  variants: CampaignVariant[];
  when: CampaignWhen;
  bonus?: { points: number; reason?: string };
  /** A purchase within this many ms after delivery counts as a conversion. */
  conversionWindowMs: number;
  /** Where each text value is written in the file (lint points at a key's own line). */
  valueAt: Record<string, Position>;
  /**
   * Overrides MARKETING_CONSENT for this campaign. Not settable in a file: `rapport events send`
   * uses `opt_out`, since it is how customers are asked for consent (it cannot require it first);
   * whoever said /stop is still left out.
   */
  consent?: ConsentMode;
}
