import { deleteInBatches } from "../db/deleteInBatches";
import type { Channel } from "../core/Channel";
import { newId } from "../core/ids";
import type { Logger } from "../core/log";
import type { Address, OutboundMessage } from "../core/message";
import { markUnreachable } from "../contacts/reachability";
import { DatabaseUnavailableError } from "../core/errors";
import type { Database } from "../db/Database";
import { withDbRetry, type RetryOptions } from "../db/retry";
import { GroupCommit } from "../engine/GroupCommit";
import { recordInteraction } from "../history/recordInteraction";
import { PRIORITY, sendOrder, toEntry, type OutboxEntry } from "./OutboxEntry";
import { claimHeads, forgetSent, markSent, releaseLeases, renewLeases, scheduleRetry } from "./outboxStatements";
import { classifySendFailure } from "./sendFailure";
import { SendPacer } from "./SendPacer";
import { telemetry } from "../core/telemetry";

/** Where the dispatcher can send: the engine's attached channels. */
export interface ChannelLookup {
  channel(name: string): Channel | undefined;
  channelNames(): string[];
}

/** Dispatcher settings; the defaults suit production, tests shorten them. */
export interface DispatcherOptions {
  /** How long a message keeps being retried after its first failed attempt (OUTBOX_RETRY_MINUTES, default 240). */
  retryMinutes?: number;
  /** Waits before successive retries; the last one repeats. */
  retryDelaysMs?: number[];
  /** How often the poller looks for work without a kick (a retry coming due, another process's rows). */
  pollMs?: number;
  /** A lease on rows being sent; renewed while this process works, so a crashed process's rows are retaken after it. */
  leaseMs?: number;
  /** Campaign messages being sent at once, at most: they must never queue ahead of conversation replies. */
  campaignConcurrency?: number;
  /**
   * Messages per second per channel that campaign messages may fill (CAMPAIGN_RATE, default 29): every
   * other message takes a slot too, without waiting, so campaigns get what conversations leave (SendPacer).
   */
  campaignRatePerSecond?: number;
  /** Contacts the poller takes at once. */
  pollBatch?: number;
  /** How long one database call is retried while the database is away (the engine passes DB_RETRY_SECONDS). */
  retry?: RetryOptions;
  /**
   * Stores one row's "sent" mark (with `forget`, deletes the row instead: see `dispatch`), resolving
   * once it is committed. The engine lets marks ride in its next turn commit (issue 13: a commit of
   * their own per batch cost ~10% of the bench's throughput); by default they are batched across
   * contacts into statements of their own.
   */
  commitSent?: (id: string, forget: boolean) => Promise<void>;
}

/** What became of a message, for the code that enqueued it (the support relay's ✅/❌ on a staff reply). */
export interface SendReceipt {
  entry: OutboxEntry;
  outcome: "sent" | "failed";
  /** Sends tried so far, this one included. */
  attempts: number;
  error?: Error;
  /** For a failure: whether it will be tried again. */
  willRetry?: boolean;
}

/** A message handed to a channel (tests and the terminal chat observe these). */
export interface SentReply {
  to: Address;
  message: OutboundMessage;
  contactId: string;
}

const DEFAULT_RETRY_DELAYS_MS = [2_000, 10_000, 30_000, 120_000, 300_000, 900_000];

interface LaneItem { entry: OutboxEntry; settle: () => void; forget: boolean }
interface Lane { items: LaneItem[]; followUp: boolean; done: Promise<void> }

/**
 * Sends the outbox (issue 13). The engine hands a turn's rows over right after their commit (no
 * polling delay); a poller with leases takes what a crash left, retries that came due, and what
 * another process (a CLI command, another instance) enqueued, for the channels attached here.
 *
 * Per contact, messages go out one at a time in order (priority, then as stored) through a lane in
 * memory; contacts never wait for each other. A sent message is marked sent (in batches across
 * contacts) before the contact's next one is sent, so a kill -9 can make at most one message per
 * contact go out twice: the one that reached the channel just before the kill. While the database
 * is away the mark is retried until it lands (markSentDurably), and a row this process has in hand
 * (or sent while a claim was out) is never sent again by it when a claim returns it after its lease ran out. A transient failure
 * (5xx, network) is retried with backoff for `retryMinutes`, holding that contact's later messages
 * back; then the message fails and `send.failed` is recorded in the history with the reason. A
 * blocked bot (RecipientUnreachableError) marks the contact unreachable and fails their pending
 * messages at once. Lanes are bounded: the engine waits for its turn's messages (one turn per
 * contact at a time), and the poller takes at most `pollBatch` contacts, one message each.
 *
 * Campaign messages (priority campaign) are paced per channel (SendPacer, `campaignRatePerSecond`):
 * every other message takes a slot without waiting, so replies are never held back and a campaign
 * gets what they leave; at most `campaignConcurrency` are in the channel's hands at once. Right
 * before it goes, a campaign message is checked to be still pending: one its campaign paused (held)
 * or cancelled while it waited is not sent.
 */
export class OutboxDispatcher {
  /** This process's name on the leases it takes. */
  readonly owner = newId();
  private readonly lanes = new Map<string, Lane>();
  /** Per contact, the "sent" mark of their last message, if it is still being written. */
  private readonly marks = new Map<string, Promise<void>>();
  /**
   * Rows this process has in hand: queued in a lane, being sent, or sent with their "sent" mark not
   * stored yet. A claim that returns one of them again (its lease ran out while the database was
   * away) is ignored, so a message this process sent is never sent again by it.
   */
  private readonly inHand = new Set<string>();
  /**
   * Per claim in flight, the rows that left this process's hands as sent while it was out. A claim
   * that read such a row as pending may answer after its "sent" mark did (PostgreSQL: the mark waited
   * for the claim's row lock, and both answers arrive together); it must not send it again. Claims
   * take rows in hand once their leases ran out, which a database outage does to all of them (the
   * full fault bench's 60 s outage sent 2 replies twice this way).
   */
  private readonly claims = new Set<Set<string>>();
  private readonly commitSent: (id: string, forget: boolean) => Promise<void>;
  private readonly receipts: ((receipt: SendReceipt) => Promise<void>)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private polling: Promise<number> | undefined;
  private pollAgain = false;
  private stopping = false;
  private campaignsInFlight = 0;
  private readonly campaignWaiters: (() => void)[] = [];
  private readonly pacer: SendPacer;

  constructor(
    private readonly db: Database,
    private readonly channels: ChannelLookup,
    private readonly log: Logger,
    private readonly options: DispatcherOptions = {},
    private readonly onReply?: (reply: SentReply) => void,
  ) {
    this.pacer = new SendPacer(options.campaignRatePerSecond ?? 29);
    if (options.commitSent) this.commitSent = options.commitSent;
    else {
      const marker = new GroupCommit<{ id: string; forget: boolean }, undefined>(async (marks) => {
        const sent = marks.filter((m) => !m.forget).map((m) => m.id);
        const gone = marks.filter((m) => m.forget).map((m) => m.id);
        if (sent.length > 0) await db.query(markSent(db.dialect, sent, new Date()));
        if (gone.length > 0) await db.query(forgetSent(db.dialect, gone));
        return marks.map(() => undefined);
      }, db.dialect === "postgresql" ? 2 : 1);
      this.commitSent = (id, forget) => marker.submit({ id, forget });
    }
  }

  /** How long a lease taken now lasts. */
  leaseUntil(now = new Date()): Date {
    return new Date(now.getTime() + (this.options.leaseMs ?? 10_000));
  }

  /** Calls `handler` with what became of each message (sent, failed, will retry); the support relay's receipts. */
  onReceipt(handler: (receipt: SendReceipt) => Promise<void>): void {
    this.receipts.push(handler);
  }

  /**
   * Sends rows this process holds the lease on (the engine's, right after their commit). Resolves
   * once each was tried: sent, failed, or left for a retry.
   *
   * With `forgetSent` (a turn's replies: no receipt, campaign report or idempotency key follows
   * them), a row sent here is deleted instead of marked sent (on PostgreSQL; SQLite marks it, see
   * forgetSent), unless its channel serves messages
   * from the outbox (`Channel.readsSentOutbox`, the web chat). Marking rewrote the row and two of its
   * index entries on PostgreSQL (issue 13: the normal bench 12-18% slower than before the outbox);
   * the history keeps what was said, and a crash before the delete re-sends it as before the mark.
   * Rows the poller takes (retries, what a crash left) are marked sent and purged after 7 days.
   */
  dispatch(entries: OutboxEntry[], options: { forgetSent?: boolean } = {}): Promise<void> {
    const forget = options.forgetSent ?? false;
    return Promise.all(entries.map((e) => new Promise<void>((settle) => this.enqueue(e, settle, false, forget)))).then(() => undefined);
  }

  /** Starts the poller (at once: what a crash left) and the lease heartbeat. */
  start(): void {
    if (this.timer) return;
    this.stopping = false;
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 2_000);
    this.timer.unref();
    const leaseMs = this.options.leaseMs ?? 10_000;
    this.heartbeat = setInterval(() => {
      if (this.lanes.size === 0) return;
      const now = new Date();
      void this.db.query(renewLeases(this.owner, this.leaseUntil(now), now)).catch((error: unknown) => this.log.warn("could not renew outbox leases", { error: error as Error }));
    }, Math.max(100, Math.floor(leaseMs / 3)));
    this.heartbeat.unref();
    this.kick();
  }

  /** Looks for work now (after rows were stored for others to send); only once started. */
  kick(): void {
    if (!this.timer || this.stopping) return;
    void this.poll().catch((error: unknown) => this.log.error("outbox poll failed", { error: error as Error }));
  }

  /** Takes due rows now and hands them to their lanes; returns how many (one pass at a time). */
  async poll(): Promise<number> {
    if (this.polling) {
      this.pollAgain = true;
      return this.polling;
    }
    this.polling = (async () => {
      let total = 0;
      do {
        this.pollAgain = false;
        total += (await this.pass()).length;
      } while (this.pollAgain && !this.stopping);
      return total;
    })();
    try {
      return await this.polling;
    } finally {
      this.polling = undefined;
    }
  }

  /**
   * Sends what is due now and waits for it (the support relay after a staff reply, tests): the
   * poller's pass without waiting for its timer, then the sends it started. With `contactId`, only
   * that contact's messages.
   */
  async drain(contactId?: string): Promise<number> {
    // A message whose "sent" mark is still being written holds its contact's next ones back: wait for it.
    await (contactId ? this.marks.get(contactId) : Promise.all(this.marks.values()));
    const started = await this.pass(contactId);
    await Promise.all(started.map((id) => this.lanes.get(id)?.done));
    return started.length;
  }

  /** Resolves once the contact's last message sent here is marked sent (it is marked in the background). */
  async marked(contactId: string): Promise<void> {
    await this.marks.get(contactId);
  }

  /** Resolves when nothing is being sent (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.lanes.size > 0 || this.marks.size > 0) {
      await Promise.all([...this.lanes.values()].map((l) => l.done));
      await Promise.all([...this.marks.values()]);
    }
  }

  /** Stops polling; the send in progress per contact finishes, the rest is given back for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    this.timer = undefined;
    this.heartbeat = undefined;
    await this.polling?.catch(() => 0);
    await this.idle();
  }

  /**
   * Deletes sent rows older than `keepMs` (7 days): the history keeps what was said. Also rows whose
   * contact is gone (PostgreSQL has no foreign key here, migration 0018: one stored while the contact
   * was being erased), which the poller never claims.
   */
  async purgeSent(now = new Date(), keepMs = 7 * 86_400_000): Promise<number> {
    // Plain statements: the sweeper runs this every minute in every process (see db/anyRow).
    const sent = await deleteInBatches(this.db, "outbox", "id", "status = 'sent' AND sent_at < ?", [new Date(now.getTime() - keepMs)]);
    const orphans = await deleteInBatches(this.db, "outbox", "id", "NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = outbox.contact_id)");
    return sent + orphans;
  }

  /** Claims due heads (one per contact) and starts their lanes; returns those contacts. */
  private async pass(contactId?: string): Promise<string[]> {
    const channels = this.channels.channelNames();
    const room = contactId ? 1 : (this.options.pollBatch ?? 100) - this.lanes.size;
    if (channels.length === 0 || room <= 0 || this.stopping) return [];
    const entries = await this.claim(channels, room, contactId);
    for (const e of entries) this.enqueue(e, () => {}, true);
    return entries.map((e) => e.contactId);
  }

  private enqueue(entry: OutboxEntry, settle: () => void, followUp: boolean, forget = false): void {
    if (this.inHand.has(entry.id)) {
      // Already queued or sent here; taken again only because its lease ran out meanwhile. The
      // contact's lane, if still running, takes their next rows when it is done, as for any claim.
      const running = this.lanes.get(entry.contactId);
      if (running && followUp) running.followUp = true;
      settle();
      return;
    }
    this.inHand.add(entry.id);
    const lane = this.lanes.get(entry.contactId);
    if (lane) {
      lane.items.push({ entry, settle, forget });
      lane.followUp ||= followUp;
      return;
    }
    const fresh: Lane = { items: [{ entry, settle, forget }], followUp, done: Promise.resolve() };
    this.lanes.set(entry.contactId, fresh);
    fresh.done = this.runLane(entry.contactId, fresh);
  }

  /** One contact's messages, one at a time, in order; ends (and is forgotten) when none is left. */
  private async runLane(contactId: string, lane: Lane): Promise<void> {
    let blocked = false;
    // The check and the delete below have no await between them, so nothing enqueued meanwhile is lost.
    while (lane.items.length > 0) {
      if (blocked || this.stopping) {
        // Held back behind a retry (or stopping): given back; the poller takes them in order later.
        const rest = lane.items.splice(0);
        await this.retry(() => this.db.query(releaseLeases(this.owner, rest.map((i) => i.entry.id)))).catch((error: unknown) => this.log.warn("could not release outbox leases", { contactId, error: error as Error }));
        rest.forEach((i) => { this.inHand.delete(i.entry.id); i.settle(); });
        continue;
      }
      lane.items.sort((a, b) => sendOrder(a.entry, b.entry));
      const item = lane.items.shift()!;
      // The contact's previous message must be marked sent before this one goes (at most one re-sent per crash).
      await this.marks.get(contactId);
      let outcome: "sent" | "failed" | "blocked" | "dropped" = "blocked";
      try {
        outcome = await this.sendOne(item.entry, lane.items.length > 0, item.forget);
      } catch (error) {
        // The database failed past its retry budget: the row stays pending and leased; the lease runs out and the poller retries.
        this.log.error("outbox: could not record a send", { contactId, outboxId: item.entry.id, error: error as Error });
      } finally {
        // A sent row stays in hand until its mark is stored (markSentDurably).
        if (outcome !== "sent") this.inHand.delete(item.entry.id);
        item.settle();
      }
      if (outcome === "blocked") blocked = true;
      else if (lane.items.length === 0 && lane.followUp && !this.stopping) {
        // Taken by the poller (a backlog): the contact's next message, if it is due (once this one is marked sent).
        await this.marks.get(contactId);
        const next = await this.claim(this.channels.channelNames(), 1, contactId).catch(() => []);
        for (const entry of next) {
          if (this.inHand.has(entry.id)) continue;
          this.inHand.add(entry.id);
          lane.items.push({ entry, settle: () => {}, forget: false });
        }
      }
    }
    this.lanes.delete(contactId);
  }

  /** Leases due heads (one per contact, or `contactId`'s), leaving out rows this process sent while the claim was out. */
  private async claim(channels: string[], limit: number, contactId?: string): Promise<OutboxEntry[]> {
    const sentMeanwhile = new Set<string>();
    this.claims.add(sentMeanwhile);
    try {
      const rows = await this.retry(() => {
        // Dated at each try: a claim retried through an outage leases from when it lands (one dated
        // from before would have run out already, leaving the rows anyone's to take again).
        const now = new Date();
        return this.db.query(claimHeads(this.db.dialect, { channels, now, leaseUntil: this.leaseUntil(now), owner: this.owner, limit, contactId }));
      });
      return rows.map(toEntry).filter((e) => !sentMeanwhile.has(e.id));
    } finally {
      this.claims.delete(sentMeanwhile);
    }
  }

  /** A sent row whose mark is stored leaves this process's hands; a claim out meanwhile must not take it (`claims`). */
  private letGo(id: string): void {
    this.inHand.delete(id);
    for (const c of this.claims) c.add(id);
  }

  /**
   * Sends one row; with `more` (the lane has the contact's next message) its "sent" mark is awaited,
   * otherwise written in the background. With `forget`, the mark deletes the row (see `dispatch`).
   */
  private async sendOne(entry: OutboxEntry, more: boolean, forget = false): Promise<"sent" | "failed" | "blocked" | "dropped"> {
    const channel = this.channels.channel(entry.to.channel);
    if (!channel) {
      // Detached meanwhile: given back (with the rest of the lane) for a process that has it.
      await this.retry(() => this.db.query(releaseLeases(this.owner, [entry.id])));
      return "blocked";
    }
    let failure: unknown;
    let sent = false;
    const campaign = entry.priority >= PRIORITY.campaign;
    // The pace first, then a place among the campaign sends in flight: a slow send holds a place, not the pace.
    if (campaign) await this.pacer.wait(entry.to.channel);
    else this.pacer.charge(entry.to.channel);
    await this.campaignSlot(entry.priority);
    try {
      // Its campaign was paused or cancelled while it waited for its turn (issue 15): not sent. Else
      // it is marked 'sending' first: a campaign message a crash cuts short is never sent again
      // (it may have arrived; nobody gets a campaign twice), see settleInterruptedSend.
      if (campaign && !(await this.retry(() => this.startSending(entry.id)))) return "dropped";
      try {
        await channel.send(entry.to, campaign ? { ...entry.message, bulk: true } : entry.message);
        sent = true;
        telemetry.messageOut(entry.to.channel);
      } catch (error) {
        failure = error;
      }
    } finally {
      this.releaseCampaignSlot(entry.priority);
    }
    if (sent) {
      // Marked (in a batch with other contacts' marks) before the contact's next message goes, so a
      // crash re-sends at most this one. Their last message's mark is not waited for here: the next
      // send to them waits for it (runLane), which keeps a turn's answer from waiting on it.
      const marked = this.markSentDurably(entry, forget && !channel.readsSentOutbox);
      if (more) await marked;
      else {
        const tracked = marked.finally(() => { if (this.marks.get(entry.contactId) === tracked) this.marks.delete(entry.contactId); });
        this.marks.set(entry.contactId, tracked);
      }
      this.onReply?.({ to: entry.to, message: entry.message, contactId: entry.contactId });
      await this.tellReceipt({ entry, outcome: "sent", attempts: entry.attempts + 1 });
      return "sent";
    }
    const error = failure instanceof Error ? failure : new Error(String(failure));
    const kind = classifySendFailure(failure);
    telemetry.sendFailed(entry.to.channel, kind === "unreachable");
    const now = new Date();
    this.log[kind === "unreachable" ? "warn" : "error"]("send failed", { contactId: entry.contactId, channel: entry.to.channel, outboxId: entry.id, kind, error });
    if (kind === "transient") {
      const since = entry.failingSince ?? now;
      if (now.getTime() - since.getTime() < (this.options.retryMinutes ?? 240) * 60_000) {
        const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
        const delay = delays[Math.min(entry.attempts, delays.length - 1)]!;
        await this.retry(() => this.db.query(scheduleRetry(entry.id, new Date(now.getTime() + delay), error.message.slice(0, 1000), since)));
        await this.tellReceipt({ entry, outcome: "failed", attempts: entry.attempts + 1, error, willRetry: true });
        return "blocked";
      }
    }
    const others = await this.retry(() => this.giveUp(entry, error, now, kind === "unreachable"));
    await this.tellReceipt({ entry, outcome: "failed", attempts: entry.attempts + 1, error, willRetry: false });
    for (const other of others) await this.tellReceipt({ entry: other, outcome: "failed", attempts: other.attempts, error, willRetry: false });
    if (kind !== "unreachable") return "failed";
    // Blocked or gone: flag the contact once; their other messages failed with this one.
    await markUnreachable(this.db, entry.contactId, entry.to.channel, (failure as { reason?: string }).reason ?? error.message)
      .catch((e: unknown) => this.log.error("could not mark a contact unreachable", { contactId: entry.contactId, error: e as Error }));
    return "blocked";
  }

  /**
   * Stores a sent row's "sent" mark, retrying for as long as the database is away (not only the retry
   * budget): giving up would leave the row pending, and once its lease ran out it would be sent again
   * (the fault bench's 60 s outage did that to about two messages per customer). The customer's next
   * message waits meanwhile. Once stopping, one more retry budget is tried; a stop while the database
   * is still away then leaves the mark unwritten, and that message goes again after the restart, as
   * after a crash. A non-transient failure (a bug) is logged and not retried.
   */
  private async markSentDurably(entry: OutboxEntry, forget: boolean): Promise<void> {
    let slow = false;
    for (;;) {
      try {
        await withDbRetry(() => this.commitSent(entry.id, forget), { ...this.options.retry, onRetry: (attempt, error) => {
          slow = true;
          this.log.warn("database busy or unreachable; retrying", { attempt, error: error as Error });
        } });
        break;
      } catch (error) {
        if (!(error instanceof DatabaseUnavailableError) || this.stopping) {
          // A bug, or stopping with the database still away: the row stays pending and goes again later.
          this.log.error("outbox: could not mark a message sent", { contactId: entry.contactId, outboxId: entry.id, error: error as Error });
          break;
        }
        slow = true;
        this.log.error("outbox: could not mark a message sent yet; trying until the database is back (it is not sent again meanwhile)", { contactId: entry.contactId, outboxId: entry.id, error });
      }
    }
    if (!slow) {
      this.letGo(entry.id);
      return;
    }
    // A claim that read the row before the mark landed may still be answering: forget it a lease later.
    setTimeout(() => this.letGo(entry.id), this.options.leaseMs ?? 10_000).unref();
    this.kick(); // the contact's next rows were held back behind it
  }

  /** Fails the row (and, when the customer is unreachable, their other pending rows) with `send.failed` in the history; returns those others. */
  private async giveUp(entry: OutboxEntry, error: Error, now: Date, unreachable: boolean): Promise<OutboxEntry[]> {
    return this.db.prisma.$transaction(async (tx) => {
      const lastError = error.message.slice(0, 1000);
      await tx.outboxMessage.updateMany({ where: { id: entry.id, status: { in: ["pending", "sending"] } }, data: { status: "failed", attempts: { increment: 1 }, lastError, failingSince: entry.failingSince ?? now } });
      let others: OutboxEntry[] = [];
      if (unreachable) {
        // Not rows another process is sending right now (its own send meets the same refusal).
        const where = { contactId: entry.contactId, channel: entry.to.channel, status: "pending", OR: [{ leaseOwner: null }, { leaseOwner: this.owner }, { leaseUntil: { lt: now } }] };
        const rows = await tx.outboxMessage.findMany({ where });
        await tx.outboxMessage.updateMany({ where: { id: { in: rows.map((r) => r.id) }, status: "pending" }, data: { status: "failed", lastError, failingSince: now } });
        others = rows.map((r) => toEntry({ id: r.id, contact_id: r.contactId, channel: r.channel, chat_id: r.chatId, user_id: r.userId, payload: r.payload, interaction_id: r.interactionId, priority: r.priority, attempts: r.attempts, failing_since: r.failingSince, source: r.source }));
      }
      await recordInteraction(tx, entry.contactId, {
        direction: "event", kind: "send.failed", actor: "system", channel: entry.to.channel, text: error.message,
        data: { code: (error as { code?: string }).code ?? null, outboxId: entry.id, interactionId: entry.interactionId, attempts: entry.attempts + 1, ...(others.length > 0 ? { alsoFailed: others.length } : {}) },
      });
      return others;
    });
  }

  /** Moves a pending row to 'sending'; false when it is no longer pending (paused, cancelled). */
  private async startSending(id: string): Promise<boolean> {
    return (await this.db.prisma.outboxMessage.updateMany({ where: { id, status: "pending" }, data: { status: "sending" } })).count === 1;
  }

  private async tellReceipt(receipt: SendReceipt): Promise<void> {
    for (const handler of this.receipts) {
      await handler(receipt).catch((error: unknown) => this.log.warn("an outbox receipt failed", { outboxId: receipt.entry.id, error: error as Error }));
    }
  }

  private async campaignSlot(priority: number): Promise<void> {
    if (priority < PRIORITY.campaign) return;
    const limit = this.options.campaignConcurrency ?? 4;
    while (this.campaignsInFlight >= limit) await new Promise<void>((r) => this.campaignWaiters.push(r));
    this.campaignsInFlight++;
  }

  private releaseCampaignSlot(priority: number): void {
    if (priority < PRIORITY.campaign) return;
    this.campaignsInFlight--;
    this.campaignWaiters.shift()?.();
  }

  private retry<T>(fn: () => Promise<T>): Promise<T> {
    return withDbRetry(fn, { ...this.options.retry, onRetry: (attempt, error) => this.log.warn("database busy or unreachable; retrying", { attempt, error: error as Error }) });
  }
}

