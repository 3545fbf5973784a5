import type { DeliveryReceipt } from "../core/Channel";
import type { HandedOffMessage } from "../core/handoff";
import type { CustomerLine } from "./CustomerLine";
import { describeForStaff } from "./describeForStaff";
import { newId } from "../core/ids";
import type { Logger } from "../core/log";
import { ServiceKey } from "../core/services";
import type { Database } from "../db/Database";
import { anyRow } from "../db/anyRow";
import { isUniqueViolation, withDbRetry, type RetryOptions } from "../db/retry";
import { recordInteraction } from "../history/recordInteraction";
import type { Translator } from "../i18n/Translator";
import { normaliseKeyword } from "../flows/keywords";
import { asksForPerson, asksToCancel, exitWhileWithPerson } from "./customerWords";
import { ACTIVE_STATUSES, agentActor, isActive, isStaffActor, type EscalationReason, type StaffActor, type TicketActor } from "./Ticket";
import type { StaffDesk, StaffRef } from "./StaffDesk";
import { CARD_POST_LEASE_MS, POSTING, QUEUED, TicketOutbox, queueForCustomer, type OutboxOptions } from "./TicketOutbox";
import { NotStoredYetError } from "../core/errors";

import { insertJob } from "../jobs/JobScheduler";
import { TicketClosedError, TicketNotFoundError } from "./errors";
import { recordAudit } from "../audit/record";
import type { Tx } from "../db/lockContact";

/** What opening a ticket needs. `key` makes a retried escalation open no second ticket. */
export interface OpenTicket {
  contactId: string;
  question: string;
  reason: EscalationReason;
  key: string;
  /** The shop's order id the ticket is about (a low product rating), shown to staff and kept on the ticket. */
  orderId?: string | null;
  /** Runs in the opening transaction, before commit (a flow action stores its answer with the ticket). */
  within?: (tx: Tx, opened: OpenedTicket) => Promise<void>;
}

/** An opened (or already open) ticket, and whether a person can pick it up now. */
export interface OpenedTicket {
  ticketId: string;
  /** Staff are reachable (Slack is configured): the chat is now with a person. */
  online: boolean;
  /** The contact already had an active ticket; no second one was opened. */
  existing: boolean;
}

/** A staff member's message in a ticket's thread, as the staff channel reports it (already authorized). */
export interface StaffMessage {
  card: StaffRef;
  message: StaffRef;
  staffUserId: string;
  text: string;
  /** Files attached to it (not passed on to customers; staff are told). */
  attachments?: number;
}

/** Desk settings; all have production defaults. */
export interface SupportDeskOptions extends OutboxOptions {
  /** Tell the customer after this long without a claim (SUPPORT_UNANSWERED_MINUTES). */
  unansweredMs?: number;
  /** How long a store is retried while the database is away (DB_RETRY_SECONDS; default 30 s). */
  retry?: Pick<RetryOptions, "budgetMs">;
}

export type { CustomerLine } from "./CustomerLine";

/** The support desk's service key, for flow actions and the CLI. */
export const SUPPORT_DESK = new ServiceKey<SupportDesk>("support.desk");

/** The audit action of each way a ticket closes. */
const AUDIT_CLOSE = { resolved: "ticket.resolve", handed_back: "ticket.hand_back", cancelled: "ticket.cancel" } as const;

/** A staff message starting with this stays internal. */
const NOTE_PREFIX = /^\s*note:\s*/i;

/**
 * Support handoff, channel-neutral: opens tickets, takes the customer's messages while a person has
 * the chat (the engine's handoff handler), relays staff replies, and claims, resolves, hands back and
 * cancels. Every step is stored first (ticket row, contact history, relay outbox) and only then
 * sent, so nothing is lost when Slack or Telegram is down; the outbox retries until delivered.
 */
export class SupportDesk {
  private staff: StaffDesk | undefined;
  readonly outbox: TicketOutbox;

  constructor(
    private readonly db: Database,
    private readonly line: CustomerLine,
    private readonly translator: () => Translator,
    private readonly log: Logger,
    private readonly options: SupportDeskOptions = {},
  ) {
    this.outbox = new TicketOutbox(db, line, () => this.staff, log, options);
  }

  /** Connects the place staff work (Slack); without it tickets queue and customers hear support is offline. */
  attachStaff(staff: StaffDesk): void {
    this.staff = staff;
  }

  /** Staff can pick tickets up now. */
  get online(): boolean {
    return this.staff !== undefined;
  }

  /** Whether a customer's free text asks for a person (the FAQ flow's `support.asks_for_person`). */
  asksForPerson(locale: string, text: string): boolean {
    return asksForPerson(this.translator(), locale, text);
  }

  /** Opens a ticket for a contact (one active ticket per contact); online, the chat goes to a person. */
  async open(input: OpenTicket): Promise<OpenedTicket> {
    const online = this.online;
    const opened = await this.retry(() => this.db.prisma.$transaction(async (tx) => {
      const active = await tx.ticket.findFirst({ where: { contactId: input.contactId, status: { in: [...ACTIVE_STATUSES] } } });
      const repeat = active ?? (await tx.ticket.findUnique({ where: { idempotencyKey: input.key } }));
      if (repeat) {
        // Asked again while staff are online (perhaps first queued offline): the chat goes to them now.
        if (online && isActive(repeat.status)) await tx.contact.updateMany({ where: { id: input.contactId, openTicketId: null }, data: { openTicketId: repeat.id } });
        // Asked again while the first request waits (/support twice, offline): what they wrote this time
        // joins the ticket's thread instead of being dropped (a re-run of the same step adds nothing).
        const sourceKey = `again:${input.key}`;
        if (active && input.question.trim() !== "" && input.question !== active.question && !(await tx.ticketMessage.findUnique({ where: { sourceKey }, select: { id: true } }))) {
          await tx.ticketMessage.create({ data: {
            id: newId(), ticketId: active.id, direction: "to_staff", text: input.question.slice(0, 4000), author: "customer",
            sourceKey, status: "pending", nextAttemptAt: new Date(),
          } });
        }
        // `existing` tells the flow the customer was already waiting; a re-run of the step that opened it is not that.
        const found = { ticketId: repeat.id, online, existing: repeat.idempotencyKey !== input.key };
        await input.within?.(tx as never, found);
        return found;
      }
      const identity = await tx.channelIdentity.findFirst({ where: { contactId: input.contactId }, orderBy: { createdAt: "desc" } });
      const id = newId();
      await tx.ticket.create({ data: { id, contactId: input.contactId, status: "open", reason: input.reason, question: input.question.slice(0, 4000), channel: identity?.channel ?? null, idempotencyKey: input.key, orderId: input.orderId || null } });
      if (online) await tx.contact.update({ where: { id: input.contactId }, data: { openTicketId: id } });
      await recordInteraction(tx, input.contactId, { direction: "event", kind: "ticket.opened", actor: "customer", text: input.question.slice(0, 500), data: { ticketId: id, reason: input.reason, staffOnline: online, ...(input.orderId ? { orderId: input.orderId } : {}) } });
      const opened = { ticketId: id, online, existing: false };
      await input.within?.(tx as never, opened);
      return opened;
    }));
    if (!opened.existing) this.log.info("ticket opened", { ticketId: opened.ticketId, reason: input.reason, online });
    if (online) this.outbox.kick();
    return opened;
  }

  /**
   * The engine's handoff handler: a message from a customer whose chat a person has. It is queued for
   * the ticket's thread in a transaction that first checks the ticket is still active (a conditional
   * write on its row, which waits for a close in progress), so a message never lands behind a close.
   */
  handoff = async (m: HandedOffMessage): Promise<boolean> => {
    const ticket = await this.db.prisma.ticket.findUnique({ where: { id: m.ticketId } });
    if (ticket && isActive(ticket.status) && this.isCancel(m, ticket.status)) {
      await this.close(ticket.id, "cancelled", "customer");
      return true;
    }
    const exit = ticket && isActive(ticket.status) ? exitWhileWithPerson(m.event.body) : undefined;
    if (exit) {
      // /menu or /support while a person has the chat: say how things stand instead of relaying the
      // command to staff or dropping the person; /cancel is the way out (README, "Support handoff").
      await this.retry(() => this.db.prisma.$transaction((tx) => this.outbox.enqueueNotice(tx, ticket!, exit, this.translator(), `notice:${ticket!.id}:${m.interactionId}`)));
      await this.outbox.flush();
      return true;
    }
    const queued = ticket && (await this.retry(() => this.db.prisma.$transaction(async (tx) => {
      // A write that changes nothing, on the ticket's row: it waits for a close in progress, then sees its result.
      const active = await tx.$executeRaw`UPDATE tickets SET status = status WHERE id = ${ticket.id} AND status IN ('open', 'claimed')`;
      if (active === 0) return false;
      const exists = await tx.ticketMessage.findUnique({ where: { sourceKey: `in:${m.interactionId}` }, select: { id: true } });
      if (!exists) {
        await tx.ticketMessage.create({ data: {
          id: newId(), ticketId: ticket.id, direction: "to_staff", interactionId: m.interactionId, text: describeForStaff(m.event.body), author: "customer",
          sourceKey: `in:${m.interactionId}`, status: "pending", nextAttemptAt: new Date(),
        } });
      }
      return true;
    })));
    if (!queued) {
      // Closed meanwhile (by staff, or another instance): let go of the chat and let the flows answer.
      await this.retry(() => this.db.prisma.contact.updateMany({ where: { id: m.contactId, openTicketId: m.ticketId }, data: { openTicketId: null } }));
      return false;
    }
    this.outbox.kick();
    return true;
  };

  /**
   * A staff message in a ticket's thread: `resolve`, `hand back`, `note: …` (internal), or a reply for
   * the customer. Throws when it could not be stored (DatabaseUnavailableError: the staff channel
   * leaves it unacknowledged, so Slack delivers it again). `receipt.stored()` is called once it is
   * stored; what follows (the card, the relay to the customer) is the outbox's to retry.
   */
  async fromStaff(m: StaffMessage, receipt?: DeliveryReceipt): Promise<void> {
    const ticket = await this.retry(() => this.db.prisma.ticket.findFirst({ where: { staffChannel: m.card.channel, cardRef: m.card.ts } }));
    if (!ticket) {
      // Staff can answer a card the moment Slack shows it, before its ts is recorded (a slow write, or
      // the instance that posted it was killed): taken again when Slack delivers it again, not dropped
      // as chatter (found by the multi-instance bench, issue 17). Otherwise a thread that is no ticket's.
      // Any card whose post is still within its lease may be it: its ts is recorded through a database
      // outage (TicketOutbox), so a reply retried by Slack after a minute-long outage still finds it.
      const since = `${POSTING}${new Date(Date.now() - CARD_POST_LEASE_MS).toISOString()}`;
      const posting = await this.retry(() => this.db.prisma.ticket.findFirst({ where: { cardRef: { startsWith: POSTING, gte: since } }, select: { id: true } }));
      if (posting) throw new NotStoredYetError(`a card is being posted, and this thread's card ${m.card.ts} may be it (Slack shows it before Rapport records it)`);
      return;
    }
    const agent = agentActor(m.staffUserId);
    const command = normaliseKeyword(m.text);
    if (command === "resolve" || command === "resolved") return void (await this.close(ticket.id, "resolved", agent, { onStored: receipt?.stored }));
    if (command === "hand back" || command === "handback") return void (await this.close(ticket.id, "handed_back", agent, { onStored: receipt?.stored }));
    if (NOTE_PREFIX.test(m.text)) return this.note(ticket, m, receipt);
    if ((m.attachments ?? 0) > 0) await this.outbox.notifyStaff(ticket.id, "Files are not passed on to the customer; describe them in words or share a link.");
    if (m.text.trim() === "") return;
    const outcome = await this.storeReply(ticket, agent, m.text, { sourceKey: `staff:${m.message.channel}:${m.message.ts}`, externalId: m.message.ts, staffRef: m.message.ts });
    receipt?.stored(); // the rest (card, relay) is retried by the outbox: Slack may have its acknowledgement now
    if (outcome === "closed") {
      const status = (await this.db.prisma.ticket.findUnique({ where: { id: ticket.id }, select: { status: true } }))?.status ?? "closed";
      return this.outbox.notifyStaff(ticket.id, `This ticket is ${status.replace("_", " ")}; that message was not sent to the customer.`);
    }
    if (outcome === "claimed") await this.outbox.refreshCard(ticket.id);
    if (outcome !== "repeat") await this.outbox.flush();
  }

  /**
   * A reply written outside the staff channel (`rapport tickets reply`, for teams without Slack):
   * stored and relayed exactly like a reply in the ticket's thread, and it claims an unclaimed ticket.
   * Throws TicketClosedError for a closed ticket (nothing is stored or sent).
   */
  async replyBy(ticketId: string, actor: StaffActor, text: string): Promise<"claimed" | "queued"> {
    const ticket = await this.retry(() => this.db.prisma.ticket.findUnique({ where: { id: ticketId } }));
    if (!ticket) throw new TicketNotFoundError(ticketId);
    const outcome = await this.storeReply(ticket, actor, text, { sourceKey: `reply:${newId()}` });
    if (outcome === "closed" || outcome === "repeat") {
      const status = (await this.db.prisma.ticket.findUnique({ where: { id: ticket.id }, select: { status: true } }))?.status ?? "closed";
      throw new TicketClosedError(ticketId, status);
    }
    if (outcome === "claimed") await this.outbox.refreshCard(ticket.id);
    await this.outbox.flush();
    return outcome;
  }

  /**
   * Stores a staff reply for the customer in one transaction: claims an open ticket, records the first
   * response, brings a ticket queued offline to the person, writes the history row and the relay
   * row. "repeat" when `sourceKey` was stored already (Slack retried the event); "closed" when the
   * ticket is closed, even a moment ago (nothing stored).
   */
  private storeReply(ticket: { id: string; contactId: string; channel: string | null }, actor: StaffActor, text: string, source: { sourceKey: string; externalId?: string; staffRef?: string }): Promise<"repeat" | "closed" | "claimed" | "queued"> {
    const now = new Date();
    return this.retry(() => this.db.prisma.$transaction(async (tx) => {
      if (await tx.ticketMessage.findUnique({ where: { sourceKey: source.sourceKey }, select: { id: true } })) return "repeat";
      // Replying to an unclaimed ticket claims it; a closed one (even closed a moment ago) takes no reply.
      const claimed = (await tx.ticket.updateMany({ where: { id: ticket.id, status: "open" }, data: { status: "claimed", assignee: actor, claimedAt: now } })).count > 0;
      if (!claimed && (await tx.ticket.updateMany({ where: { id: ticket.id, status: "claimed" }, data: { status: "claimed" } })).count === 0) return "closed";
      await tx.ticket.updateMany({ where: { id: ticket.id, firstResponseAt: null }, data: { firstResponseAt: now } });
      // A ticket queued while support was offline: the reply brings the chat to a person.
      await tx.contact.updateMany({ where: { id: ticket.contactId, openTicketId: null }, data: { openTicketId: ticket.id } });
      if (claimed) await recordInteraction(tx, ticket.contactId, { direction: "event", kind: "ticket.claimed", actor, data: { ticketId: ticket.id } });
      await recordAudit(tx, { actor, action: "ticket.reply", target: { type: "ticket", id: ticket.id }, detail: { claimed } });
      const interactionId = await recordInteraction(tx, ticket.contactId, { direction: "out", kind: "text", actor, channel: ticket.channel ?? undefined, text, externalId: source.externalId, data: { ticketId: ticket.id } });
      const id = newId();
      await tx.ticketMessage.create({ data: {
        id, ticketId: ticket.id, direction: "to_customer", interactionId, text, author: actor, staffRef: source.staffRef,
        sourceKey: source.sourceKey, status: QUEUED, nextAttemptAt: now,
      } });
      // Sent by the customer outbox, in order with the bot's messages; its receipt marks the staff message.
      await queueForCustomer(tx, ticket, id, text, interactionId);
      return claimed ? "claimed" : "queued";
    }));
  }

  private async note(ticket: { id: string; contactId: string }, m: StaffMessage, receipt?: DeliveryReceipt): Promise<void> {
    try {
      await this.retry(() => this.db.prisma.$transaction(async (tx) => {
        await recordInteraction(tx, ticket.contactId, {
          direction: "internal", kind: "note", actor: agentActor(m.staffUserId), text: m.text.replace(NOTE_PREFIX, ""),
          externalId: m.message.ts, dedupeKey: `staff:${m.message.channel}:${m.message.ts}`, data: { ticketId: ticket.id },
        });
        await recordAudit(tx, { actor: agentActor(m.staffUserId), action: "ticket.note", target: { type: "ticket", id: ticket.id } });
      }));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return void receipt?.stored(); // Slack retried the event: stored once already
    }
    receipt?.stored();
    await this.staff?.markRelayed(m.card, m.message, { kind: "note" }).catch((error: unknown) => this.log.warn("could not mark a note", { ticketId: ticket.id, error: error as Error }));
  }

  /** Claims a ticket for a Slack member (the Claim button); claiming a claimed ticket takes it over. */
  async claim(ticketId: string, staffUserId: string): Promise<void> {
    // A stale button on a closed ticket's card does nothing (the card shows the ticket is closed).
    await this.claimBy(ticketId, agentActor(staffUserId)).catch((error: unknown) => { if (!(error instanceof TicketClosedError)) throw error; });
  }

  /**
   * Claims a ticket for anyone on staff (also `rapport tickets claim`); claiming a claimed ticket
   * takes it over. "already" when `actor` has it; throws TicketClosedError for a closed ticket.
   */
  async claimBy(ticketId: string, actor: StaffActor): Promise<"claimed" | "already"> {
    const ticket = await this.db.prisma.ticket.findUnique({ where: { id: ticketId } });
    if (!ticket) throw new TicketNotFoundError(ticketId);
    if (!isActive(ticket.status)) throw new TicketClosedError(ticketId, ticket.status);
    if (ticket.assignee === actor) return "already";
    const changed = await this.db.prisma.$transaction(async (tx) => {
      const changed = await tx.ticket.updateMany({ where: { id: ticketId, status: { in: [...ACTIVE_STATUSES] } }, data: { status: "claimed", assignee: actor, claimedAt: ticket.claimedAt ?? new Date() } });
      if (changed.count === 0) return false;
      await tx.contact.updateMany({ where: { id: ticket.contactId, openTicketId: null }, data: { openTicketId: ticketId } });
      await recordInteraction(tx, ticket.contactId, { direction: "event", kind: "ticket.claimed", actor, data: { ticketId, from: ticket.assignee } });
      await recordAudit(tx, { actor, action: "ticket.claim", target: { type: "ticket", id: ticketId }, detail: { from: ticket.assignee } });
      return true;
    });
    if (!changed) throw new TicketClosedError(ticketId, (await this.db.prisma.ticket.findUnique({ where: { id: ticketId }, select: { status: true } }))?.status ?? "closed");
    await this.outbox.refreshCard(ticketId);
    return "claimed";
  }

  /** Resolves a ticket: the customer is told, the bot has the chat again, `ticket.resolved` is emitted. */
  resolve(ticketId: string, staffUserId: string): Promise<boolean> {
    return this.close(ticketId, "resolved", agentActor(staffUserId));
  }

  /** Hands the chat back to the bot without resolving (the customer is told the bot is back). */
  handBack(ticketId: string, staffUserId: string): Promise<boolean> {
    return this.close(ticketId, "handed_back", agentActor(staffUserId));
  }

  /**
   * Closes an active ticket once (a second close is a no-op returning false): stores the new state
   * and history row, releases the chat, tells the customer in their language, tells staff in the
   * thread, redraws the card, and schedules the `ticket.<status>` event for flows (the CSAT survey).
   */
  async close(ticketId: string, status: "resolved" | "handed_back" | "cancelled", by: TicketActor, options: { tellCustomer?: boolean; onStored?: () => void; within?: (tx: Tx) => Promise<void> } = {}): Promise<boolean> {
    const ticket = await this.db.prisma.ticket.findUnique({ where: { id: ticketId } });
    if (!ticket) throw new TicketNotFoundError(ticketId);
    const closed = await this.retry(() => this.db.prisma.$transaction(async (tx) => {
      const changed = await tx.ticket.updateMany({ where: { id: ticketId, status: { in: [...ACTIVE_STATUSES] } }, data: { status, closedAt: new Date(), closedBy: by } });
      if (changed.count === 0) return false;
      await tx.contact.updateMany({ where: { id: ticket.contactId, openTicketId: ticketId }, data: { openTicketId: null } });
      await recordInteraction(tx, ticket.contactId, { direction: "event", kind: `ticket.${status}`, actor: by, data: { ticketId } });
      await recordAudit(tx, { actor: by, action: AUDIT_CLOSE[status], target: { type: "ticket", id: ticketId } });
      if (options.tellCustomer !== false) await this.outbox.enqueueNotice(tx, ticket, `support:${status}`, this.translator());
      // `ticket.resolved` (the CSAT survey) as stored work in this transaction: it survives a crash,
      // and a customer busy in another conversation gets it a little later.
      await insertJob(tx, { kind: "event", contactId: ticket.contactId, name: `ticket.${status}`, dueAt: new Date(), key: `ticket:${ticketId}:${status}`,
        data: { ticketId, agent: ticket.assignee ?? (isStaffActor(by) ? by : null), reason: ticket.reason } });
      await options.within?.(tx as never);
      return true;
    }));
    options.onStored?.();
    if (!closed) return false;
    this.log.info("ticket closed", { ticketId, status, by });
    await this.outbox.flush();
    const notice = status === "cancelled" ? "The customer stopped waiting; the bot has the chat again." : `${status === "resolved" ? "Resolved" : "Handed back"} by ${by.startsWith("agent:") ? `<@${by.slice(6)}>` : by}; the bot has the chat again.`;
    await this.outbox.notifyStaff(ticketId, notice);
    await this.outbox.refreshCard(ticketId);
    return true;
  }

  /**
   * Cancels a contact's active ticket at their request from a flow (`support.cancel`): a ticket
   * queued while support was offline does not take the chat, so only the flows see that customer's
   * /cancel. Staff are told as for any cancel; the flow tells the customer, in order with its turn.
   */
  async cancelFor(contactId: string, within?: (tx: Tx, answer: { cancelled: true; ticketId: string }) => Promise<void>): Promise<{ cancelled: boolean; ticketId?: string }> {
    const active = await this.retry(() => this.db.prisma.ticket.findFirst({ where: { contactId, status: { in: [...ACTIVE_STATUSES] } }, select: { id: true } }));
    if (!active) return { cancelled: false };
    const answer = { cancelled: true as const, ticketId: active.id };
    const cancelled = await this.close(active.id, "cancelled", "customer", { tellCustomer: false, within: within && ((tx) => within(tx, answer)) });
    return cancelled ? answer : { cancelled: false, ticketId: active.id };
  }

  /** Tells customers whose ticket nobody claimed within `unansweredMs`; once per ticket. Returns how many. */
  async remindUnanswered(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - (this.options.unansweredMs ?? 15 * 60_000));
    if (!(await anyRow(this.db, "SELECT id FROM tickets WHERE status = 'open' AND unanswered_at IS NULL AND created_at <= ?", before))) return 0; // every minute: see anyRow
    const due = await this.db.prisma.ticket.findMany({
      where: { status: "open", unansweredAt: null, createdAt: { lte: before } },
      include: { contact: { select: { openTicketId: true } } },
      take: 100,
    });
    let told = 0;
    // Only tickets that have the chat: a customer whose ticket was queued offline was told so already.
    for (const t of due.filter((d) => d.contact.openTicketId === d.id)) {
      const claimed = await this.retry(() => this.db.prisma.$transaction(async (tx) => {
        const changed = await tx.ticket.updateMany({ where: { id: t.id, status: "open", unansweredAt: null }, data: { unansweredAt: now } });
        if (changed.count === 0) return false;
        await recordInteraction(tx, t.contactId, { direction: "event", kind: "ticket.unanswered", actor: "system", data: { ticketId: t.id } });
        await this.outbox.enqueueNotice(tx, t, "support:unanswered", this.translator());
        return true;
      }));
      if (!claimed) continue;
      await this.outbox.refreshCard(t.id);
      told++;
    }
    if (told > 0) this.outbox.kick();
    return told;
  }

  /** Database work retried through hiccups (SQLite busy, a PostgreSQL failover), like the engine's. */
  private retry<T>(fn: () => Promise<T>): Promise<T> {
    return withDbRetry(fn, { ...this.options.retry, onRetry: (attempt, error) => this.log.warn("database busy or unreachable; retrying", { attempt, error: error as Error }) });
  }

  /**
   * `/cancel` (or its button) stops waiting at any time; the words for "cancel" only while nobody has
   * claimed the ticket, since "cancel" can be an answer to staff ("cancel or exchange?").
   */
  private isCancel(m: HandedOffMessage, status: string): boolean {
    const b = m.event.body;
    if (b.kind === "command") return b.command === "cancel";
    if (b.kind === "choice") return b.value === "support.cancel";
    if (b.kind !== "text" || status !== "open") return false;
    return asksToCancel(this.translator(), m.locale, b.text);
  }
}
