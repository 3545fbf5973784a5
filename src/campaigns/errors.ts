import { RapportError } from "../core/errors";

/** No campaign file (or, for status/pause/resume/cancel, no sent campaign) has that name. */
export class CampaignNotFoundError extends RapportError {
  readonly code = "rapport_campaign_not_found";
  constructor(readonly campaign: string, known: readonly string[], hint?: string) {
    super(`there is no campaign "${campaign}"${hint ? `; did you mean "${hint}"?` : ""} ${known.length ? `Campaigns: ${known.join(", ")}` : "Campaign files live in flows/campaigns/<name>.yaml"}`);
  }
}

/** A campaign was already sent under this name: sending twice would message its audience twice. */
export class CampaignAlreadySentError extends RapportError {
  readonly code = "rapport_campaign_already_sent";
  constructor(readonly campaign: string, status: string) {
    super(`campaign "${campaign}" was already sent (${status}); nobody is messaged twice by one campaign\n  hint: see it with: rapport campaigns status ${campaign}; to send it again, copy the file under a new name`);
  }
}

/** Pause, resume or cancel asked of a campaign in a state where it means nothing (a finished one). */
export class CampaignStateError extends RapportError {
  readonly code = "rapport_campaign_state";
  constructor(readonly campaign: string, action: string, status: string) {
    super(`campaign "${campaign}" is ${status}; it cannot be ${action}`);
  }
}
