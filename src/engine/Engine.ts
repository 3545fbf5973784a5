import type { Address, InboundEvent, OutboundMessage } from "../core/message";
import type { Channel, DeliveryReceipt, MediaFile } from "../core/Channel";
import { describeInbound } from "../core/message";
import { newId } from "../core/ids";
import type { Logger } from "../core/log";
import { PipelineError } from "../core/errors";
import { markReachable } from "../contacts/reachability";
import type { Database } from "../db/Database";
import { telemetry } from "../core/telemetry";
import { withDbRetry, type RetryOptions } from "../db/retry";
import type { FlowRuntime, TurnInput, TurnOutput } from "../flows/FlowRuntime";
import type { ContactView } from "../flows/types";
import type { ConversationState } from "../conversations/ConversationState";
import { resolveLocale } from "../i18n/locales";
import type { InteractionRow } from "../history/InteractionRow";
import { recordInteraction } from "../history/recordInteraction";
import { GroupCommit } from "./GroupCommit";
import { enqueueMessage, NoAddressError } from "../outbox/enqueueMessage";
import { KeyedQueue } from "./KeyedQueue";
import type { HandoffHandler, SendResult } from "../core/handoff";
import { completeTurns, handledPlan, loadContactPlan, markHandledPlan, receiveTurns, rowExistsPlan, type CompleteItem, type Completed, type Received, type ReceiveItem } from "./turnPlans";
import { OutboxDispatcher, type DispatcherOptions, type SentReply } from "../outbox/OutboxDispatcher";
import { PRIORITY, type OutboxEntry, type OutboxPriority } from "../outbox/OutboxEntry";
import { releaseLeases } from "../outbox/outboxStatements";

export type { SentReply } from "../outbox/OutboxDispatcher";

/**
 * What became of an event or timer: a flow started or resumed; the contact was busy (in another
 * conversation, or with a person) so nothing ran; nothing listens for it; or it was handled before.
 */
export type WakeResult = "started" | "busy" | "ignored" | "duplicate";

/** Options for the engine; all have production defaults. */
export interface EngineOptions {
  retry?: RetryOptions;
  /** Called after each message the outbox sent (the terminal chat and tests observe these). */
  onReply?: (reply: SentReply) => void;
  /** The outbox dispatcher's settings (OUTBOX_RETRY_MINUTES and the like). */
  outbox?: DispatcherOptions;
}

const MAX_CONFLICT_RETRIES = 5;

/** An outbox row the dispatcher sent, to be marked sent (or, with `forget`, deleted) in the completer's next commit. */
interface SentMark { sent: string; forget: boolean }
const MARKED: Completed = { won: true, held: false };

/** How an event, timer or flow start is run. */
export interface WakeOptions {
  /** A scheduled job's or campaign delivery's id: stored with the turn, so the turn runs at most once. */
  onceKey?: string;
  /** The priority of the turn's messages (default notification); a campaign's start sends at `campaign`, paced. */
  priority?: OutboxPriority;
}

/**
 * The core's pipeline for every inbound event, per customer in order and across customers in
 * parallel: store the message (group commit) → run the flow runtime → store replies (history and
 * outbox rows), flow events and the new state (group commit, version-guarded) → hand the outbox rows
 * to the dispatcher, which sends them. Nothing is sent before it is stored, a reply stored is sent
 * even after a crash (the outbox), and nothing received is dropped: database hiccups are retried; a failure inside a turn is
 * recorded and answered with an apology; a failure to store is thrown to the channel, which keeps
 * the update for redelivery. Events (`emit`) queue separately from messages; the version guard
 * keeps a message and an event for the same contact from overwriting each other.
 */
export class Engine {
  private readonly channels = new Map<string, Channel>();
  private readonly queue = new KeyedQueue();
  private readonly receiver: GroupCommit<ReceiveItem, Received>;
  /** Turns to commit, and "sent" marks from the outbox riding along in the same commits. */
  private readonly completer: GroupCommit<CompleteItem | SentMark, Completed>;
  private handoff: HandoffHandler | undefined;
  /** Sends every message to customers (issue 13); `rapport start` and the terminal chat start its poller. */
  readonly outbox: OutboxDispatcher;

  constructor(
    private readonly db: Database,
    private readonly runtime: FlowRuntime,
    private readonly log: Logger,
    private readonly options: EngineOptions = {},
  ) {
    // Flushes in flight per stage. SQLite: 1 (its transactions are synchronous). PostgreSQL: 2,
    // measured (bench, 1,000 msg/s offered): 1 queued messages behind a whole flush (p50 13 ms),
    // 3 and 4 added contention for the two cores without lowering p99.
    const concurrency = db.dialect === "postgresql" ? 2 : 1;
    this.receiver = new GroupCommit((items) => receiveTurns(db, items, new Date()), concurrency);
    this.completer = new GroupCommit(async (items) => {
      const turns = items.filter((i): i is CompleteItem => !("sent" in i));
      const marks = items.filter((i): i is SentMark => "sent" in i);
      const done = await completeTurns(db, turns, new Date(), marks.filter((m) => !m.forget).map((m) => m.sent), marks.filter((m) => m.forget).map((m) => m.sent));
      let n = 0;
      return items.map((i) => ("sent" in i ? MARKED : done[n++]!));
    }, concurrency);
    // A sent mark is committed with the next batch of turns (or alone when none is waiting), not in a
    // commit of its own; it still lands before the contact's next message goes (OutboxDispatcher).
    const commitSent = (id: string, forget: boolean) => this.completer.submit({ sent: id, forget }).then(() => undefined);
    this.outbox = new OutboxDispatcher(db, { channel: (name) => this.channels.get(name), channelNames: () => this.channelNames() }, log, { retry: options.retry, ...options.outbox, commitSent }, options.onReply);
  }

  /** Makes a channel available for replies; the channel calls `deliver` for what it receives. */
  attach(channel: Channel): void {
    this.channels.set(channel.name, channel);
  }

  /** Names of the attached channels: where this process can send. */
  channelNames(): string[] {
    return [...this.channels.keys()];
  }

  /** Routes messages of contacts with an open support ticket to `handler` instead of the flows. */
  handOffTo(handler: HandoffHandler): void {
    this.handoff = handler;
  }

  /** Entry point for channels: resolves when the event is stored and handled and its replies were tried once (sent, failed, or left for a retry). */
  deliver = (event: InboundEvent, receipt?: DeliveryReceipt): Promise<void> => {
    telemetry.messageIn(event.channel);
    const started = performance.now();
    return this.queue.run(`${event.channel}\u0000${event.sender.externalUserId}`, () => this.handle(event, receipt))
      .finally(() => telemetry.turnSeconds((performance.now() - started) / 1000));
  };

  /** Waits for all in-flight events and sends (graceful shutdown, tests). */
  async idle(): Promise<void> {
    await this.queue.idle();
    await this.outbox.idle();
  }

  /**
   * Starts the flow that a named event triggers (e.g. `ticket.resolved`) for a contact, if the
   * contact is not in another conversation. Replies go to `to`, or to the newest identity whose
   * channel is attached. With `onceKey` (a scheduled job's id) the event is handled at most once:
   * the key is stored with the turn, in its transaction, and a second call with it does nothing.
   */
  emit(contactId: string, name: string, data: Record<string, unknown> = {}, to?: Address, options: WakeOptions = {}): Promise<WakeResult> {
    return this.wake(contactId, { kind: "event", name, data }, `event ${name}`, to, options);
  }

  /**
   * Starts a flow by id for a contact, ending the conversation they are in (the console's playground,
   * where a marketer tries a flow that no command starts). Not for customers' own conversations.
   */
  startFlow(contactId: string, flowId: string, to?: Address): Promise<WakeResult> {
    return this.wake(contactId, { kind: "start", flowId }, `start ${flowId}`, to, {});
  }

  /**
   * Starts a flow by its id for a contact who is not in another conversation (a campaign's `start:
   * { flow }`, issue 15); `data` is the flow's `vars.campaign`. With `onceKey`, at most once.
   */
  startCampaignFlow(contactId: string, flowId: string, data: Record<string, unknown> = {}, options: WakeOptions = {}): Promise<WakeResult> {
    return this.wake(contactId, { kind: "flow", flowId, data }, `flow ${flowId}`, undefined, options);
  }

  /** Wakes a flow paused by a `wait` step whose timer `token` came due (the job runner calls it). */
  resume(contactId: string, token: string, options: WakeOptions = {}): Promise<WakeResult> {
    return this.wake(contactId, { kind: "timer", token }, "timer", undefined, options);
  }

  private async wake(contactId: string, input: TurnInput, label: string, to: Address | undefined, { onceKey, priority }: WakeOptions): Promise<WakeResult> {
    return this.queue.run(`contact\u0000${contactId}`, async () => {
      if (onceKey && (await this.retry(() => this.db.run(handledPlan(onceKey))))) return "duplicate";
      const loaded = await this.retry(() => this.db.run(loadContactPlan(contactId)));
      if (!loaded) throw new PipelineError(label, new Error(`no contact ${contactId}`));
      if (loaded.openTicketId) {
        // A person has the chat: the bot says nothing until the ticket is closed.
        await this.retry(() => recordInteraction(this.db.prisma, contactId, { direction: "event", kind: "event.skipped", actor: "system", text: label, data: { reason: "a person has the chat", ticketId: loaded.openTicketId } }));
        return "busy";
      }
      const output = await this.turn(loaded.contact, loaded.state, input, onceKey ?? newId(), onceKey, to ?? (await this.addressOf(contactId)), undefined, priority);
      const kinds = new Set(output?.timeline.flatMap((x) => ("entry" in x ? [x.entry.kind] : [])));
      return kinds.has("event.skipped") ? "busy" : kinds.has("flow.start") || kinds.has("flow.resume") ? "started" : "ignored";
    });
  }

  private retry<T>(fn: () => Promise<T>): Promise<T> {
    return withDbRetry(fn, this.retryOptions ??= { ...this.options.retry, onRetry: (attempt, error) => this.log.warn("database busy or unreachable; retrying", { attempt, error: error as Error }) });
  }

  /** Made once: the hot path retries several calls per message. */
  private retryOptions: RetryOptions | undefined;

  private async handle(raw: InboundEvent, receipt: DeliveryReceipt | undefined): Promise<void> {
    const event = withoutNul(raw);
    const now = event.receivedAt;
    const item: ReceiveItem = {
      channel: event.channel,
      externalUserId: event.sender.externalUserId,
      displayName: event.sender.displayName ?? null,
      username: event.sender.username ?? null,
      locale: resolveLocale(event.sender.languageHint),
      newContactId: newId(),
      row: inboundRow(event, now),
    };
    const received = await this.retry(() => this.receiver.submit(item));
    receipt?.stored();
    if (received.duplicate) {
      this.log.debug("duplicate delivery ignored", { dedupeKey: event.dedupeKey });
      return;
    }
    if (received.wasUnreachable) {
      await this.retry(() => markReachable(this.db, received.contact.id, event.channel));
    }
    const to: Address = { channel: event.channel, externalChatId: event.externalChatId, externalUserId: event.sender.externalUserId };
    if (received.openTicketId && this.handoff) {
      const handoff = this.handoff;
      const ticketId = received.openTicketId;
      const taken = await this.retry(() => handoff({ contactId: received.contact.id, ticketId, locale: received.contact.locale, event, interactionId: received.interactionId, from: to }));
      if (taken) {
        await this.retry(() => this.db.run(markHandledPlan(received.interactionId)));
        return;
      }
    }
    await this.turn(received.contact, received.state, { kind: "message", body: event.body }, received.interactionId, received.interactionId, to, event.externalMessageId);
  }

  private async turn(contact: ContactView, state: ConversationState, input: TurnInput, runSeed: string, inboundId: string | undefined, to: Address | undefined, replyTo: string | undefined, as?: OutboxPriority): Promise<TurnOutput | undefined> {
    let output: TurnOutput | undefined;
    let entries: OutboxEntry[] = [];
    let held = false;
    const priority = PRIORITY[as ?? (input.kind === "message" ? "conversation" : "notification")];
    for (let attempt = 0; ; attempt++) {
      try {
        // A database hiccup inside the turn (reading an old flow version, an action's own query) is
        // retried like any other; the turn is deterministic for the same input and stored state.
        output = await this.retry(() => this.runtime.handle(contact, state, input, runSeed));
      } catch (error) {
        // A bug outside any step: record it, apologise, reset the conversation; never leave it stuck.
        const wrapped = new PipelineError(`event for contact ${contact.id}`, error);
        this.log.error("turn failed", { contactId: contact.id, error: wrapped });
        output = this.runtime.failure(contact, state, wrapped);
      }
      const { rows, outbox } = turnRows(contact.id, output, to, replyTo, priority);
      entries = outbox;
      // Written leased to this process when it runs the channel; otherwise left for the process that does.
      const lease = to && this.channels.has(to.channel) ? { until: this.outbox.leaseUntil(), owner: this.outbox.owner } : null;
      const committed = await this.retry(() => this.completer.submit({ contactId: contact.id, state: output!.state, rows, inboundId, contactChanges: output!.contactChanges, outbox, lease }));
      if (committed.won) { held = committed.held; break; }
      // Lost the version check. If this turn's own first row is stored, the commit did land and only
      // its acknowledgement was lost (a connection dropped after COMMIT): what it stored is sent (whether
      // its rows were held is unknown, so they are given back and taken in order, below).
      if (rows.length > 0 && (await this.retry(() => this.db.run(rowExistsPlan(rows[0]!.id))))) {
        if (outbox.length > 0) await this.retry(() => this.db.query(releaseLeases(this.outbox.owner, outbox.map((e) => e.id))));
        held = true;
        break;
      }
      // Someone else handled this message or job meanwhile (another instance ran the same job): once is enough.
      if (inboundId && (await this.retry(() => this.db.run(handledPlan(inboundId))))) return undefined;
      if (attempt >= MAX_CONFLICT_RETRIES) throw new PipelineError(`event for contact ${contact.id}`, new Error("conversation kept changing under us (another instance?)"));
      const fresh = await this.retry(() => this.db.run(loadContactPlan(contact.id)));
      if (!fresh) return undefined;
      ({ contact, state } = fresh);
    }
    if (entries.length === 0) return output;
    // Sent right away by this process. Held rows wait behind an earlier pending message: whatever of
    // this contact's is due now is sent in order (nothing, while a retry is pending), the rest by the poller.
    if (held) await this.outbox.drain(contact.id);
    else await this.outbox.dispatch(entries, { forgetSent: true });
    return output;
  }

  /**
   * Sends one message outside a turn through the outbox (issue 13: one way out) and waits for its
   * first attempt: stored in its own transaction, then sent now if this process runs the channel.
   * "ok" means sent, or stored for the process that runs the channel (or for a retry); a refusal
   * by a customer who blocked the bot is `unreachable`. Code that changes state with the message
   * should call enqueueMessage in its own transaction instead (campaigns do).
   */
  async sendTo(contactId: string, message: OutboundMessage, to?: Address, priority: OutboxPriority = "campaign"): Promise<SendResult> {
    let id: string;
    try {
      ({ id } = await this.retry(() => this.db.prisma.$transaction((tx) => enqueueMessage(tx, { contactId, to, message, priority }))));
    } catch (error) {
      if (error instanceof NoAddressError) return { ok: false, error, unreachable: true };
      throw error;
    }
    await this.outbox.drain(contactId);
    // Not through the relation: on PostgreSQL the row may outlive its contact (no foreign key, migration 0018).
    const row = await this.db.prisma.outboxMessage.findUnique({ where: { id }, select: { status: true, lastError: true } });
    if (row?.status !== "failed") return { ok: true };
    const contact = await this.db.prisma.contact.findUnique({ where: { id: contactId }, select: { unreachable: true } });
    return { ok: false, error: new Error(row.lastError ?? "not delivered"), unreachable: contact?.unreachable ?? true };
  }

  /** Fetches a file a customer sent on `channel` (for support staff); throws where the channel cannot. */
  async downloadFile(channel: string, fileId: string): Promise<MediaFile> {
    const c = this.channels.get(channel);
    if (!c?.downloadFile) throw new Error(`the ${channel} channel ${c ? "cannot fetch files" : "is not running in this process"}`);
    return c.downloadFile(fileId);
  }

  private async addressOf(contactId: string): Promise<Address | undefined> {
    const ids = await this.db.prisma.channelIdentity.findMany({ where: { contactId }, orderBy: { createdAt: "desc" } });
    const id = ids.find((i) => this.channels.has(i.channel)) ?? ids[0];
    return id ? { channel: id.channel, externalChatId: id.externalId, externalUserId: id.externalId } : undefined;
  }
}

function inboundRow(event: InboundEvent, now: Date): InteractionRow {
  const b = event.body;
  const data = b.kind === "choice" ? { value: b.value } : b.kind === "command" ? { command: b.command, payload: b.payload ?? null } : b.kind === "media" ? { media: b.media, fileId: b.fileId ?? null, ...b.details } : null;
  return {
    id: newId(), contactId: "", occurredAt: now, direction: "in", kind: b.kind === "media" ? `media.${b.media}` : b.kind,
    channel: event.channel, externalId: event.externalMessageId ?? null, dedupeKey: event.dedupeKey ?? null, actor: "customer",
    flowId: null, flowVersion: null, stepId: null, text: describeInbound(b), data: data ? JSON.stringify(data) : null,
  };
}

/** A turn's history rows, and its replies as outbox rows (the first one answering `replyTo`). */
function turnRows(contactId: string, output: TurnOutput, to: Address | undefined, replyTo: string | undefined, priority: number): { rows: InteractionRow[]; outbox: OutboxEntry[] } {
  const at = new Date();
  const rows: InteractionRow[] = [];
  const outbox: OutboxEntry[] = [];
  for (const item of output.timeline) {
    if ("entry" in item) {
      const e = item.entry;
      rows.push({ id: newId(), contactId, occurredAt: at, direction: "event", kind: e.kind, channel: null, externalId: null, dedupeKey: null, actor: "bot",
        flowId: e.flowId ?? null, flowVersion: e.flowVersion ?? null, stepId: e.stepId ?? null, text: e.text ?? null, data: e.data ? JSON.stringify(e.data) : null });
      continue;
    }
    const r = item.reply;
    const id = newId();
    rows.push({ id, contactId, occurredAt: at, direction: "out", kind: "text", channel: to?.channel ?? null, externalId: null, dedupeKey: null, actor: "bot",
      flowId: r.flowId ?? null, flowVersion: r.flowVersion ?? null, stepId: r.stepId ?? null, text: r.message.text,
      data: r.message.choices ? JSON.stringify({ choices: r.message.choices }) : null });
    if (!to) continue;
    const message = outbox.length === 0 && replyTo ? { ...r.message, replyTo } : r.message;
    outbox.push({ id: newId(), contactId, to, message, priority, interactionId: id, attempts: 0, failingSince: null, source: null });
  }
  return { rows, outbox };
}

/**
 * PostgreSQL text cannot hold U+0000 (SQLite can): drop it from what the customer typed, before it is
 * stored or read by a flow, so both databases store and answer the same thing.
 */
function withoutNul(event: InboundEvent): InboundEvent {
  const b = event.body;
  const strip = (s: string) => (s.includes("\u0000") ? s.replace(/\u0000/g, "") : s);
  if (b.kind === "text" && b.text.includes("\u0000")) return { ...event, body: { ...b, text: strip(b.text) } };
  if (b.kind === "media" && b.caption?.includes("\u0000")) return { ...event, body: { ...b, caption: strip(b.caption) } };
  if (b.kind === "command" && b.payload?.includes("\u0000")) return { ...event, body: { ...b, payload: strip(b.payload) } };
  return event;
}
