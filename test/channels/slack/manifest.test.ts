/**
 * The Slack app manifest (src/channels/slack/manifest.yaml) against the code: the scopes and events
 * it asks for must cover every Web API method the adapter calls, and its request URLs must point at
 * the path the adapter listens on. Adding a call without its scope must fail here, not in production.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SLACK_EVENTS_PATH } from "../../../src/channels/slack/SlackSupport";

const SLACK_DIR = new URL("../../../src/channels/slack/", import.meta.url);

interface Manifest {
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string };
  };
}

const manifest = parse(readFileSync(new URL("manifest.yaml", SLACK_DIR), "utf8")) as Manifest;
const botScopes = manifest.oauth_config.scopes.bot;

/**
 * The bot scopes each Web API method needs (https://api.slack.com/methods). A key ending in `.*`
 * covers a whole family. A method missing here fails the coverage test: look its scope up and add it.
 */
const SCOPES_BY_METHOD: Record<string, string[]> = {
  "chat.*": ["chat:write"],
  "chat.postEphemeral": ["chat:write"],
  "reactions.add": ["reactions:write"],
  // The support channel may be public or private.
  "conversations.members": ["channels:read", "groups:read"],
  // Erasing a customer reads a ticket's thread back (SlackRedactor).
  "conversations.replies": ["channels:history", "groups:history"],
  "auth.test": [],
  // WebClient's helper for files.getUploadURLExternal + files.completeUploadExternal.
  filesUploadV2: ["files:write"],
};

function scopesFor(method: string): string[] | undefined {
  return SCOPES_BY_METHOD[method] ?? SCOPES_BY_METHOD[`${method.slice(0, method.lastIndexOf("."))}.*`];
}

/** Every Web API method named in the adapter's source: `client.<family>.<method>(` and `paginate("<method>"`. */
function calledMethods(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of readdirSync(SLACK_DIR).filter((f) => f.endsWith(".ts"))) {
    const source = readFileSync(new URL(file, SLACK_DIR), "utf8");
    for (const m of source.matchAll(/\bclient\s*\.\s*((?:\w+\s*\.\s*)+\w+)\s*\(/g)) found.set(m[1]!.replace(/\s+/g, ""), file);
    for (const m of source.matchAll(/\bclient\s*\.\s*(\w+V\d+)\s*\(/g)) found.set(m[1]!, file); // helpers such as filesUploadV2
    for (const m of source.matchAll(/\b(?:paginate|apiCall)\(\s*["'`]([\w.]+)["'`]/g)) found.set(m[1]!, file);
  }
  return found;
}

describe("Slack app manifest", () => {
  it("asks for the bot scopes the adapter needs", () => {
    expect(botScopes).toEqual(expect.arrayContaining(["chat:write", "reactions:write", "channels:history", "groups:history", "channels:read", "groups:read"]));
  });

  it("subscribes to messages in public and private channels", () => {
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(expect.arrayContaining(["message.channels", "message.groups"]));
  });

  it("enables interactivity (the card's buttons)", () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it("points both request URLs at the path the adapter listens on", () => {
    expect(new URL(manifest.settings.event_subscriptions.request_url).pathname).toBe(SLACK_EVENTS_PATH);
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe(SLACK_EVENTS_PATH);
  });

  it("finds the Web API calls in the adapter's source (the scan below works)", () => {
    expect([...calledMethods().keys()]).toEqual(expect.arrayContaining(["auth.test", "chat.postMessage", "chat.update", "chat.postEphemeral", "reactions.add", "conversations.members", "filesUploadV2"]));
  });

  it("grants a scope for every Web API method the adapter calls", () => {
    const missing: string[] = [];
    for (const [method, file] of calledMethods()) {
      const needed = scopesFor(method);
      if (needed === undefined) missing.push(`${method} (${file}): not in SCOPES_BY_METHOD`);
      else for (const scope of needed.filter((s) => !botScopes.includes(s))) missing.push(`${method} (${file}): manifest lacks ${scope}`);
    }
    expect(missing).toEqual([]);
  });
});
