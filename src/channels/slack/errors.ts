import { ConfigError, RapportError } from "../../core/errors";

/** Slack refused or could not be reached while starting (auth.test, the support channel check). */
export class SlackSetupError extends RapportError {
  readonly code = "rapport_slack_setup";
  constructor(step: string, problem: string, hint: string, options?: { cause?: unknown }) {
    super(`Slack ${step} failed: ${problem}\n  hint: ${hint}`, options);
  }
}

/** The Slack platform error code of a failed Web API call ("invalid_auth", "channel_not_found"), if any. */
export function slackErrorCode(error: unknown): string | undefined {
  return (error as { data?: { error?: string } })?.data?.error;
}

/** Translates a failed start-up call into an error that names the setting to fix. */
export function setupFailure(step: "auth.test" | "conversations.members", channel: string, error: unknown): Error {
  const code = slackErrorCode(error);
  if (code === "invalid_auth" || code === "not_authed" || code === "account_inactive" || code === "token_revoked") {
    return new ConfigError("SLACK_BOT_TOKEN", `Slack rejected the token (${code})`, "copy the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page, and reinstall the app if you changed scopes");
  }
  if (code === "channel_not_found" || code === "not_in_channel") {
    return new ConfigError("SLACK_SUPPORT_CHANNEL", `Slack cannot see channel ${channel} (${code})`, `check the id, and invite the app into the channel: /invite @Rapport in ${channel}`);
  }
  if (code === "missing_scope") return new SlackSetupError(step, "the app lacks a scope (missing_scope)", "add the scopes listed in src/channels/slack/manifest.yaml and reinstall the app");
  if (code) return new SlackSetupError(step, code, "see Slack's error code above", { cause: error });
  return new SlackSetupError(step, `could not reach Slack (${(error as Error)?.message ?? String(error)})`, "check the network, or SLACK_API_URL", { cause: error });
}
