import type { Settings } from "../../config";
import type { Logger } from "../../core/log";
import { SlackSupport } from "./SlackSupport";

/** Builds the Slack support channel from SLACK_* settings, or undefined when no bot token is set. */
export function slackSupportFromSettings(settings: Settings, log: Logger): SlackSupport | undefined {
  if (!settings.slackBotToken || !settings.slackSupportChannel) return undefined;
  return new SlackSupport({
    token: settings.slackBotToken,
    channel: settings.slackSupportChannel,
    signingSecret: settings.slackSigningSecret,
    appToken: settings.slackAppToken,
    apiUrl: settings.slackApiUrl,
    allowList: settings.slackAllowedUsers,
    log,
  });
}
