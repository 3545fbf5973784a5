import type { IncomingMessage, ServerResponse } from "node:http";
import { App, HTTPReceiver, SocketModeReceiver, webApi, type BlockAction, type ButtonAction } from "@slack/bolt";
import type { MediaFile } from "../../core/Channel";
import type { Logger } from "../../core/log";
import type { Route } from "../../http/server";
import { sendJson } from "../../http/server";
import type { SupportDesk } from "../../support/SupportDesk";
import { StaffMessageGoneError, type RelayOutcome, type StaffDesk, type StaffRef, type ThreadNote } from "../../support/StaffDesk";
import type { TicketCard } from "../../support/TicketCard";
import { boltLogger } from "./boltLogger";
import { CARD_ACTIONS, cardMessage, threadMessage } from "./cardBlocks";
import { setupFailure, slackErrorCode } from "./errors";
import { StaffDirectory } from "./StaffDirectory";
import { plainText } from "./plainText";
import { DatabaseUnavailableError } from "../../core/errors";
import { isNotStored, StoreOrder } from "../../core/StoreOrder";
import { ackEventsAfterHandling } from "./ackAfterHandling";

/** Where Slack posts events and button presses in HTTP mode (the manifest's request URLs). */
export const SLACK_EVENTS_PATH = "/slack/events";

/** Slack retries an unacknowledged event 3 times (https://api.slack.com/apis/events-api#retries); after the last, nothing more comes. */
const SLACK_LAST_RETRY = 3;

/** The `message` event fields a staff reply in a ticket thread has. */
interface StaffEvent {
  user: string;
  text?: string;
  ts: string;
  thread_ts: string;
  files?: unknown[];
}

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
  /** WebClient retry policy for failed calls (tests shorten it); the default retries for about 30 s. */
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
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Staff messages per ticket thread, each stored before the next is taken (issue 13: in the order Slack sent them). */
  private readonly threads = new StoreOrder();

  constructor(private readonly options: SlackSupportOptions) {
    this.client = new webApi.WebClient(options.token, this.clientOptions());
    this.directory = new StaffDirectory(this.client, options.channel, options.allowList ?? []);
  }

  /** HTTP mode: the route for Rapport's server on PORT; answers 503 until started and while stopping. */
  route(): Route {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.split("?")[0] !== SLACK_EVENTS_PATH) return false;
      if (req.method !== "POST") {
        sendJson(res, 405, { error: "method_not_allowed", message: `Slack posts to ${SLACK_EVENTS_PATH}; use POST` });
        return true;
      }
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
      // Bolt's own Socket Mode receiver, built here so it uses SLACK_API_URL for apps.connections.open too.
      const receiver = new SocketModeReceiver({ appToken: o.appToken, logger, installerOptions: { clientOptions: this.clientOptions() } });
      ackEventsAfterHandling(receiver, o.log); // an event is acknowledged once stored, as in HTTP mode below
      this.app = new App({ ...common, receiver });
    } else {
      // processBeforeResponse: Slack gets its 200 when the listener returns, i.e. once the event is
      // stored (issue 13); a store failure answers 500 and Slack delivers the event again.
      this.receiver = new HTTPReceiver({ signingSecret: o.signingSecret!, endpoints: SLACK_EVENTS_PATH, logger, processBeforeResponse: true });
      this.app = new App({ ...common, receiver: this.receiver });
    }
    this.listen(this.app, desk);
    if (o.appToken) await this.app.start();
  }

  /** Stops taking events (HTTP requests get 503; Socket Mode disconnects) and waits for those being handled. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.options.appToken) await this.app?.stop();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Runs listener work so that stop() can wait for it. */
  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    return work.finally(() => this.inFlight.delete(work));
  }

  private listen(app: App, desk: SupportDesk): void {
    const channel = this.options.channel;
    app.event("message", async ({ event, context }) => {
      const e = event as { channel?: string; user?: string; text?: string; ts: string; thread_ts?: string; subtype?: string; bot_id?: string; files?: unknown[] };
      if (e.channel !== channel || !e.thread_ts || e.thread_ts === e.ts) return; // only replies in ticket threads
      if (e.subtype && e.subtype !== "thread_broadcast" && e.subtype !== "file_share") return; // edits, joins, deletions
      if (e.bot_id || !e.user || e.user === this.botUserId) return; // our own posts never loop back
      await this.fromStaff(desk, e as StaffEvent, context.retryNum ?? 0);
    });
    app.action<BlockAction<ButtonAction>>(new RegExp(`^${CARD_ACTIONS.claim}$|^${CARD_ACTIONS.resolve}$|^${CARD_ACTIONS.handBack}$`.replace(/\./g, "\\.")), async ({ ack, body, action }) => {
      await ack();
      const user = body.user.id;
      if (!(await this.directory.canHandle(user))) {
        this.options.log.info("ignored a ticket button from someone not allowed to handle tickets", { user });
        await this.client.chat.postEphemeral({ channel, user, text: `Only members of <#${channel}> can handle support tickets.` }).catch(() => undefined);
        return;
      }
      const ticketId = action.value ?? "";
      const work: Promise<unknown> = action.action_id === CARD_ACTIONS.claim ? desk.claim(ticketId, user) : action.action_id === CARD_ACTIONS.resolve ? desk.resolve(ticketId, user) : desk.handBack(ticketId, user);
      // Not awaited: the press is answered at once (a lost press shows as an unchanged card, and is pressed again).
      void this.track(work)
        .catch(async (error: unknown) => {
          this.options.log.error("a ticket button could not be handled", { error: error as Error });
          await this.client.chat.postEphemeral({ channel, user, text: `That did not work: ${(error as Error)?.message ?? String(error)}. Please try again.` }).catch(() => undefined);
        });
    });
    app.error(async (error) => {
      // Not stored: rethrown, so Bolt answers 500 (HTTP) or leaves it unacknowledged (Socket Mode) and Slack delivers it again.
      if (isNotStored(error) || isNotStored((error as { original?: unknown }).original)) throw error;
      this.options.log.error("slack listener failed", { error: error as Error });
    });
  }

  /**
   * A staff message in a ticket thread, handed to the desk after the ones before it in that thread
   * are stored (StoreOrder), and returned from once it is stored itself, so Slack's acknowledgement
   * means "stored". The relay to the customer goes on in the background (the outbox retries it).
   * Not stored because the database is away: thrown (no acknowledgement, Slack retries; the retry is
   * recognised by the message's ts), except on Slack's last retry, when the author is told to resend.
   * Any other failure is shown on the message at once, as it would fail again.
   */
  private async fromStaff(desk: SupportDesk, e: StaffEvent, retryNum: number): Promise<void> {
    const channel = this.options.channel;
    const card = { channel, ts: e.thread_ts };
    const message = { channel, ts: e.ts };
    let stored!: () => void;
    const isStored = new Promise<void>((resolve) => (stored = resolve));
    const done = this.track(this.threads.run(`${channel}:${e.thread_ts}`, async (receipt) => {
      const receiptBoth = { stored: () => { receipt.stored(); stored(); } };
      if (!(await this.directory.canHandle(e.user))) {
        this.options.log.info("ignored a ticket thread message from someone not allowed to handle tickets", { user: e.user });
        return;
      }
      await desk.fromStaff({ card, message, staffUserId: e.user, text: plainText(e.text ?? ""), attachments: e.files?.length ?? 0 }, receiptBoth);
    }));
    let afterStore = false;
    void done.catch((error: unknown) => {
      if (afterStore) this.options.log.error("a stored staff message could not be passed on yet; the outbox retries it", { error: error as Error });
    });
    try {
      await Promise.race([isStored, done]);
      afterStore = true;
    } catch (error) {
      if (isNotStored(error) && retryNum < SLACK_LAST_RETRY) {
        this.options.log.warn("a staff message could not be stored; leaving it unacknowledged so Slack delivers it again", { retryNum, error: error as Error });
        throw error;
      }
      this.options.log.error("a staff message could not be handled", { error: error as Error });
      const reason = error instanceof DatabaseUnavailableError ? "the database is unavailable" : String((error as Error)?.message ?? error);
      await this.markRelayed(card, message, { kind: "not_relayed", reason: reason.slice(0, 200) }).catch(() => undefined);
    }
  }

  async postCard(card: TicketCard): Promise<StaffRef> {
    const res = await this.client.chat.postMessage({ channel: this.options.channel, ...cardMessage(card) } as webApi.ChatPostMessageArguments);
    return { channel: res.channel ?? this.options.channel, ts: res.ts! };
  }

  async updateCard(ref: StaffRef, card: TicketCard): Promise<void> {
    try {
      await this.client.chat.update({ channel: ref.channel, ts: ref.ts, ...cardMessage(card) } as webApi.ChatUpdateArguments);
    } catch (error) {
      const code = slackErrorCode(error);
      if (code === "message_not_found" || code === "channel_not_found" || code === "cant_update_message") throw new StaffMessageGoneError(ref, code);
      throw error;
    }
  }

  async postInThread(ref: StaffRef, note: ThreadNote): Promise<StaffRef> {
    const res = await this.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, ...threadMessage(note) } as webApi.ChatPostMessageArguments);
    return { channel: ref.channel, ts: res.ts! };
  }

  async postFileInThread(ref: StaffRef, file: MediaFile, note: ThreadNote): Promise<StaffRef> {
    // The words go as blocks, not initial_comment (which Slack reads as mrkdwn): see threadMessage.
    const message = threadMessage(note);
    const comment = message.blocks ? { blocks: message.blocks as webApi.FilesUploadV2Arguments["blocks"] } : { initial_comment: message.text };
    const res = await this.client.filesUploadV2({ channel_id: ref.channel, thread_ts: ref.ts, file: file.data, filename: file.fileName, ...comment } as webApi.FilesUploadV2Arguments);
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
    if (outcome.kind === "not_relayed") await this.postInThread(card, { kind: "notice", text: `⚠️ Not passed on to the customer: Rapport could not handle it (${outcome.reason}). Please send it again.` });
  }

  private clientOptions(): webApi.WebClientOptions {
    // Retries for about 30 s (WebClient's default is half an hour): the support outbox retries on its
    // own schedule and leases its work, so one slow call must not hold a lease past its end.
    const retryConfig = this.options.retryConfig ?? { retries: 5, factor: 2, minTimeout: 1_000, maxTimeout: 10_000 };
    return { slackApiUrl: this.options.apiUrl, retryConfig, rejectRateLimitedCalls: false, logger: boltLogger(this.options.log) };
  }
}
