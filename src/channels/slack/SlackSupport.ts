import type { IncomingMessage, ServerResponse } from "node:http";
import { App, HTTPReceiver, webApi, type BlockAction, type ButtonAction } from "@slack/bolt";
import type { MediaFile } from "../../core/Channel";
import type { Logger } from "../../core/log";
import type { Route } from "../../http/server";
import { sendJson } from "../../http/server";
import type { SupportDesk } from "../../support/SupportDesk";
import type { RelayOutcome, StaffDesk, StaffRef, ThreadNote } from "../../support/StaffDesk";
import type { TicketCard } from "../../support/TicketCard";
import { boltLogger } from "./boltLogger";
import { CARD_ACTIONS, cardMessage, threadText } from "./cardBlocks";
import { setupFailure, slackErrorCode } from "./errors";
import { StaffDirectory } from "./StaffDirectory";
import { plainText } from "./plainText";

/** Where Slack posts events and button presses in HTTP mode (the manifest's request URLs). */
export const SLACK_EVENTS_PATH = "/slack/events";

/** What the Slack channel needs; HTTP mode with `signingSecret`, Socket Mode with `appToken`. */
export interface SlackSupportOptions {
  token: string;
  /** The support channel's id: cards go there, and its members handle tickets. */
  channel: string;
  signingSecret?: string;
  appToken?: string;
  /** Web API base (tests point it at a fake); default https://slack.com/api/. */
  apiUrl?: string;
  /** Slack user ids allowed to handle tickets instead of the channel's members. */
  allowList?: string[];
  log: Logger;
  /** WebClient retry policy for failed calls; the default retries for about half an hour. */
  retryConfig?: webApi.RetryOptions;
}

/**
 * Support staff's side of the handoff, on Bolt: posts and redraws ticket cards in the support
 * channel, relays thread replies and button presses (Claim, Resolve, Hand back) to the support desk,
 * and marks relayed messages with reactions. A thin translator: the desk decides; this file only
 * speaks Slack. Rate limits are Bolt's WebClient's: calls queue, and a 429 waits out Retry-After.
 */
export class SlackSupport implements StaffDesk {
  readonly name = "slack";
  private app: App | undefined;
  private receiver: HTTPReceiver | undefined;
  private client: webApi.WebClient;
  private directory: StaffDirectory;
  private botUserId: string | undefined;
  private stopping = false;

  constructor(private readonly options: SlackSupportOptions) {
    this.client = new webApi.WebClient(options.token, this.clientOptions());
    this.directory = new StaffDirectory(this.client, options.channel, options.allowList ?? []);
  }

  /** HTTP mode: the route for Rapport's server on PORT; answers 503 until started and while stopping. */
  route(): Route {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.split("?")[0] !== SLACK_EVENTS_PATH) return false;
      if (!this.receiver || this.stopping) {
        sendJson(res, 503, { error: "unavailable", message: "Slack support is not running" });
        return true;
      }
      this.receiver.requestListener(req, res);
      return true;
    };
  }

  /** Checks the token and the support channel, then starts taking Slack's events for `desk`. */
  async start(desk: SupportDesk): Promise<void> {
    const o = this.options;
    let botId: string | undefined;
    try {
      const auth = await this.client.auth.test();
      this.botUserId = auth.user_id;
      botId = auth.bot_id;
    } catch (error) {
      throw setupFailure("auth.test", o.channel, error);
    }
    if ((o.allowList ?? []).length === 0) {
      try {
        await this.directory.currentMembers();
      } catch (error) {
        throw setupFailure("conversations.members", o.channel, error);
      }
    }
    const logger = boltLogger(o.log);
    const common = { token: o.token, botId, botUserId: this.botUserId, logger, clientOptions: this.clientOptions(), ignoreSelf: true };
    if (o.appToken) {
      this.app = new App({ ...common, appToken: o.appToken, socketMode: true });
    } else {
      this.receiver = new HTTPReceiver({ signingSecret: o.signingSecret!, endpoints: SLACK_EVENTS_PATH, logger });
      this.app = new App({ ...common, receiver: this.receiver });
    }
    this.listen(this.app, desk);
    if (o.appToken) await this.app.start();
  }

  /** Stops taking events (HTTP requests get 503; Socket Mode disconnects). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.options.appToken) await this.app?.stop();
  }

  private listen(app: App, desk: SupportDesk): void {
    const channel = this.options.channel;
    app.event("message", async ({ event }) => {
      const e = event as { channel?: string; user?: string; text?: string; ts: string; thread_ts?: string; subtype?: string; bot_id?: string };
      if (e.channel !== channel || !e.thread_ts || e.thread_ts === e.ts) return; // only replies in ticket threads
      if (e.subtype && e.subtype !== "thread_broadcast" && e.subtype !== "file_share") return; // edits, joins, deletions
      if (e.bot_id || !e.user || e.user === this.botUserId) return; // our own posts never loop back
      if (!(await this.directory.canHandle(e.user))) {
        this.options.log.info("ignored a ticket thread message from someone not allowed to handle tickets", { user: e.user });
        return;
      }
      await desk.fromStaff({ card: { channel, ts: e.thread_ts }, message: { channel, ts: e.ts }, staffUserId: e.user, text: plainText(e.text ?? "") });
    });
    app.action<BlockAction<ButtonAction>>(new RegExp(`^${CARD_ACTIONS.claim}$|^${CARD_ACTIONS.resolve}$|^${CARD_ACTIONS.handBack}$`.replace(/\./g, "\\.")), async ({ ack, body, action }) => {
      await ack();
      const user = body.user.id;
      if (!(await this.directory.canHandle(user))) {
        this.options.log.info("ignored a ticket button from someone not allowed to handle tickets", { user });
        await this.client.chat.postEphemeral({ channel, user, text: `Only members of <#${channel}> can handle support tickets.` }).catch(() => undefined);
        return;
      }
      if (action.action_id === CARD_ACTIONS.claim) await desk.claim(action.value ?? "", user);
      else if (action.action_id === CARD_ACTIONS.resolve) await desk.resolve(action.value ?? "", user);
      else await desk.handBack(action.value ?? "", user);
    });
    app.error(async (error) => {
      this.options.log.error("slack listener failed", { error: error as Error });
    });
  }

  async postCard(card: TicketCard): Promise<StaffRef> {
    const res = await this.client.chat.postMessage({ channel: this.options.channel, ...cardMessage(card) } as webApi.ChatPostMessageArguments);
    return { channel: res.channel ?? this.options.channel, ts: res.ts! };
  }

  async updateCard(ref: StaffRef, card: TicketCard): Promise<void> {
    await this.client.chat.update({ channel: ref.channel, ts: ref.ts, ...cardMessage(card) } as webApi.ChatUpdateArguments);
  }

  async postInThread(ref: StaffRef, note: ThreadNote): Promise<StaffRef> {
    const res = await this.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text: threadText(note) });
    return { channel: ref.channel, ts: res.ts! };
  }

  async postFileInThread(ref: StaffRef, file: MediaFile, note: ThreadNote): Promise<StaffRef> {
    const res = await this.client.filesUploadV2({ channel_id: ref.channel, thread_ts: ref.ts, file: file.data, filename: file.fileName, initial_comment: threadText(note) });
    const uploaded = (res as { files?: { files?: { id?: string }[] }[] }).files?.[0]?.files?.[0]?.id;
    return { channel: ref.channel, ts: uploaded ?? "" };
  }

  async markRelayed(card: StaffRef, message: StaffRef, outcome: RelayOutcome): Promise<void> {
    const name = outcome.kind === "delivered" ? "white_check_mark" : outcome.kind === "note" ? "memo" : "x";
    await this.client.reactions.add({ channel: message.channel, timestamp: message.ts, name }).catch((error: unknown) => {
      if (slackErrorCode(error) !== "already_reacted") throw error;
    });
    if (outcome.kind === "failed") {
      const next = outcome.willRetry ? "Retrying automatically." : "Gave up after several attempts; it stays in the contact history.";
      await this.postInThread(card, { kind: "notice", text: `⚠️ Not delivered to the customer: ${outcome.reason}. ${next}` });
    }
  }

  private clientOptions(): webApi.WebClientOptions {
    return { slackApiUrl: this.options.apiUrl, retryConfig: this.options.retryConfig, rejectRateLimitedCalls: false, logger: boltLogger(this.options.log) };
  }
}
