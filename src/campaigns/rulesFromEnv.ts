import { ConfigError } from "../core/errors";
import { parseDuration } from "../core/duration";
import { CONSENT_MODES, type ConsentMode } from "../marketing/consent";
import type { CampaignRules } from "./eligibility";
import { isTimeZone, parseQuietHours } from "./quietHours";

/** The defaults: opt-in, at most 2 campaign messages in 7 days, quiet 21:00-09:00, UTC. */
export const DEFAULT_CAMPAIGN_RULES = { cap: "2/7d", quietHours: "21:00-09:00", timeZone: "UTC" } as const;

/**
 * Reads MARKETING_CONSENT, CAMPAIGN_FREQUENCY_CAP (`2/7d`, or `off`), CAMPAIGN_QUIET_HOURS
 * (`21:00-09:00`, or `off`) and CAMPAIGN_TIME_ZONE (an IANA name). A malformed value is a
 * ConfigError naming the variable and what to write instead.
 */
export function campaignRulesFromEnv(env: NodeJS.ProcessEnv): CampaignRules {
  const consent = (env.MARKETING_CONSENT?.trim().toLowerCase().replace("-", "_") || "opt_in") as ConsentMode;
  if (!CONSENT_MODES.includes(consent)) throw new ConfigError("MARKETING_CONSENT", `"${env.MARKETING_CONSENT}" is not a consent mode`, "use opt_in (campaigns reach those who said yes) or opt_out (all but those who said /stop)");
  const capText = env.CAMPAIGN_FREQUENCY_CAP?.trim() || DEFAULT_CAMPAIGN_RULES.cap;
  let frequencyCap: CampaignRules["frequencyCap"];
  if (capText.toLowerCase() !== "off") {
    const m = /^(\d+)\s*\/\s*(.+)$/.exec(capText);
    const windowMs = m ? parseDuration(m[2]!) : undefined;
    if (!m || !windowMs || Number(m[1]) < 1) throw new ConfigError("CAMPAIGN_FREQUENCY_CAP", `"${capText}" is not a cap`, "write messages/period, e.g. 2/7d (at most 2 campaign messages per contact in 7 days), or off");
    frequencyCap = { count: Number(m[1]), windowMs };
  }
  const quietText = env.CAMPAIGN_QUIET_HOURS?.trim() || DEFAULT_CAMPAIGN_RULES.quietHours;
  const quietHours = quietText.toLowerCase() === "off" ? undefined : parseQuietHours(quietText);
  if (quietText.toLowerCase() !== "off" && !quietHours) throw new ConfigError("CAMPAIGN_QUIET_HOURS", `"${quietText}" is not a span of hours`, "write HH:MM-HH:MM in the contact's local time, e.g. 21:00-09:00 (across midnight is fine), or off");
  const timeZone = env.CAMPAIGN_TIME_ZONE?.trim() || DEFAULT_CAMPAIGN_RULES.timeZone;
  if (!isTimeZone(timeZone)) throw new ConfigError("CAMPAIGN_TIME_ZONE", `"${timeZone}" is not a time zone`, "use an IANA name such as Europe/Warsaw, Asia/Ho_Chi_Minh or UTC");
  return { consent, frequencyCap, quietHours, timeZone };
}
