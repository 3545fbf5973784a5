import type { OutboundMessage } from "../core/message";
import type { MediaFile } from "../core/Channel";
import type { HandedOffMessage, SendResult } from "../core/handoff";
import { describeForStaff } from "./describeForStaff";
import { newId } from "../core/ids";
import type { Logger } from "../core/log";
import { ServiceKey } from "../core/services";
import type { Database } from "../db/Database";
import { isUniqueViolation } from "../db/retry";
import { recordInteraction } from "../history/recordInteraction";
import type { Translator } from "../i18n/Translator";
import { normaliseKeyword } from "../flows/keywords";
import { asksForPerson, asksToCancel } from "./customerWords";
import { ACTIVE_STATUSES, agentActor, isActive, type EscalationReason, type TicketActor } from "./Ticket";
import type { StaffDesk, StaffRef } from "./StaffDesk";
import { TicketOutbox, type OutboxOptions } from "./TicketOutbox";
import { TicketNotFoundError } from "./errors";

/** How the desk reaches customers, fetches what they sent, and starts flows: the engine provides all three. */
export interface CustomerLine {
  sendTo(contactId: string, message: OutboundMessage): Promise<SendResult>;
  emit(contactId: string, name: string, data?: Record<string, unknown>): Promise<void>;
  downloadFile(channel: string, fileId: string): Promise<MediaFile>;
}

/** What opening a ticket needs. `key` makes a retried escalation open no second ticket. */
export interface OpenTicket {
  contactId: string;
  question: string;
  reason: EscalationReason;
  key: string;
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
}

/** Desk settings; all have production defaults. */
export interface SupportDeskOptions extends OutboxOptions {
  /** Tell the customer after this long without a claim (SUPPORT_UNANSWERED_MINUTES). */
  unansweredMs?: number;
}

/** The support desk's service key, for flow actions and the CLI. */
export const SUPPORT_DESK = new ServiceKey<SupportDesk>("support.desk");

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
    const opened = await this.db.prisma.$transaction(async (tx) => {
      const active = await tx.ticket.findFirst({ where: { contactId: input.contactId, status: { in: [...ACTIVE_STATUSES] } } });
      const repeat = active ?? (await tx.ticket.findUnique({ where: { idempotencyKey: input.key } }));
      if (repeat) return { ticketId: repeat.id, online, existing: true };
      const identity = await tx.channelIdentity.findFirst({ where: { contactId: input.contactId }, orderBy: { createdAt: "desc" } });
      const id = newId();
      await tx.ticket.create({ data: { id, contactId: input.contactId, status: "open", reason: input.reason, question: input.question.slice(0, 4000), channel: identity?.channel ?? null, idempotencyKey: input.key } });
      if (online) await tx.contact.update({ where: { id: input.contactId }, data: { openTicketId: id } });
      await recordInteraction(tx, input.contactId, { direction: "event", kind: "ticket.opened", actor: "customer", text: input.question.slice(0, 500), data: { ticketId: id, reason: input.reason, staffOnline: online } });
      return { ticketId: id, online, existing: false };
    });
    if (!opened.existing) this.log.info("ticket opened", { ticketId: opened.ticketId, reason: input.reason, online });
    if (online) this.outbox.kick();
    return opened;
  }

  /** The engine's handoff handler: a message from a customer whose chat a person has. */
  handoff = async (m: HandedOffMessage): Promise<boolean> => {
    const ticket = await this.db.prisma.ticket.findUnique({ where: { id: m.ticketId } });
    if (!ticket || !isActive(ticket.status)) {
      // Closed meanwhile (another instance): let go of the chat and let the flows answer.
      await this.db.prisma.contact.updateMany({ where: { id: m.contactId, openTicketId: m.ticketId }, data: { openTicketId: null } });
      return false;
    }
    if (this.isCancel(m)) {
      await this.close(ticket.id, "cancelled", "customer");
      return true;
    }
    const text = describeForStaff(m.event.body);
    try {
      await this.db.prisma.ticketMessage.create({ data: {
        id: newId(), ticketId: ticket.id, direction: "to_staff", interactionId: m.interactionId, text, author: "customer",
        sourceKey: `in:${m.interactionId}`, status: "pending", nextAttemptAt: new Date(),
      } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error; // a redelivered message: already queued for staff
    }
    this.outbox.kick();
    return true;
  };

  /** A staff message in a ticket's thread: a reply for the customer, `note: …`, `resolve` or `hand back`. */
  async fromStaff(m: StaffMessage): Promise<void> {
    const ticket = await this.db.prisma.ticket.findFirst({ where: { staffChannel: m.card.channel, cardRef: m.card.ts } });
    if (!ticket) return; // a thread that is not a ticket's
    const staff = this.staff;
    const command = normaliseKeyword(m.text);
    if (command === "resolve" || command === "resolved") return void (await this.close(ticket.id, "resolved", agentActor(m.staffUserId)));
    if (command === "hand back" || command === "handback") return void (await this.close(ticket.id, "handed_back", agentActor(m.staffUserId)));
    if (NOTE_PREFIX.test(m.text)) {
      await recordInteraction(this.db.prisma, ticket.contactId, { direction: "internal", kind: "note", actor: agentActor(m.staffUserId), text: m.text.replace(NOTE_PREFIX, ""), externalId: m.message.ts, data: { ticketId: ticket.id } });
      await staff?.markRelayed(m.card, m.message, { kind: "note" }).catch((error: unknown) => this.log.warn("could not mark a note", { ticketId: ticket.id, error: error as Error }));
      return;
    }
    if (!isActive(ticket.status)) {
      await staff?.postInThread(m.card, { kind: "notice", text: `This ticket is ${ticket.status.replace("_", " ")}; that message was not sent to the customer.` })
        .catch((error: unknown) => this.log.warn("could not post in a ticket thread", { ticketId: ticket.id, error: error as Error }));
      return;
    }
    const agent = agentActor(m.staffUserId);
    const now = new Date();
    let claimed = false;
    try {
      await this.db.prisma.$transaction(async (tx) => {
        // Replying to an unclaimed ticket claims it, and brings the chat to a person if it was queued offline.
        claimed = (await tx.ticket.updateMany({ where: { id: ticket.id, status: "open" }, data: { status: "claimed", assignee: agent, claimedAt: now } })).count > 0;
        await tx.ticket.updateMany({ where: { id: ticket.id, firstResponseAt: null }, data: { firstResponseAt: now } });
        await tx.contact.updateMany({ where: { id: ticket.contactId, openTicketId: null }, data: { openTicketId: ticket.id } });
        if (claimed) await recordInteraction(tx, ticket.contactId, { direction: "event", kind: "ticket.claimed", actor: agent, data: { ticketId: ticket.id } });
        const interactionId = await recordInteraction(tx, ticket.contactId, { direction: "out", kind: "text", actor: agent, channel: ticket.channel ?? undefined, text: m.text, externalId: m.message.ts, data: { ticketId: ticket.id } });
        await tx.ticketMessage.create({ data: {
          id: newId(), ticketId: ticket.id, direction: "to_customer", interactionId, text: m.text, author: agent, staffRef: m.message.ts,
          sourceKey: `staff:${m.message.channel}:${m.message.ts}`, status: "pending", nextAttemptAt: now,
        } });
      });
    } catch (error) {
      if (isUniqueViolation(error)) return; // Slack retried the event: relayed once already
      throw error;
    }
    if (claimed) await this.outbox.refreshCard(ticket.id);
    await this.outbox.flush();
  }

  /** Claims a ticket for a staff member (the Claim button); claiming a claimed ticket takes it over. */
  async claim(ticketId: string, staffUserId: string): Promise<void> {
    const agent = agentActor(staffUserId);
    const ticket = await this.db.prisma.ticket.findUnique({ where: { id: ticketId } });
    if (!ticket) throw new TicketNotFoundError(ticketId);
    if (!isActive(ticket.status) || ticket.assignee === agent) return;
    await this.db.prisma.$transaction(async (tx) => {
      const changed = await tx.ticket.updateMany({ where: { id: ticketId, status: { in: [...ACTIVE_STATUSES] } }, data: { status: "claimed", assignee: agent, claimedAt: ticket.claimedAt ?? new Date() } });
      if (changed.count === 0) return;
      await tx.contact.updateMany({ where: { id: ticket.contactId, openTicketId: null }, data: { openTicketId: ticketId } });
      await recordInteraction(tx, ticket.contactId, { direction: "event", kind: "ticket.claimed", actor: agent, data: { ticketId, from: ticket.assignee } });
    });
    await this.outbox.refreshCard(ticketId);
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
   * thread, redraws the card, and emits `ticket.<status>` for flows (the CSAT survey).
   */
  async close(ticketId: string, status: "resolved" | "handed_back" | "cancelled", by: TicketActor): Promise<boolean> {
    const ticket = await this.db.prisma.ticket.findUnique({ where: { id: ticketId } });
    if (!ticket) throw new TicketNotFoundError(ticketId);
    const closed = await this.db.prisma.$transaction(async (tx) => {
      const changed = await tx.ticket.updateMany({ where: { id: ticketId, status: { in: [...ACTIVE_STATUSES] } }, data: { status, closedAt: new Date(), closedBy: by } });
      if (changed.count === 0) return false;
      await tx.contact.updateMany({ where: { id: ticket.contactId, openTicketId: ticketId }, data: { openTicketId: null } });
      await recordInteraction(tx, ticket.contactId, { direction: "event", kind: `ticket.${status}`, actor: by, data: { ticketId } });
      return true;
    });
    if (!closed) return false;
    this.log.info("ticket closed", { ticketId, status, by });
    await this.tell(ticket.contactId, `support:${status}`);
    const notice = status === "cancelled" ? "The customer stopped waiting; the bot has the chat again." : `${status === "resolved" ? "Resolved" : "Handed back"} by ${by.startsWith("agent:") ? `<@${by.slice(6)}>` : by}; the bot has the chat again.`;
    await this.outbox.notifyStaff(ticketId, notice);
    await this.outbox.refreshCard(ticketId);
    await this.line.emit(ticket.contactId, `ticket.${status}`, { ticketId, agent: ticket.assignee, reason: ticket.reason })
      .catch((error: unknown) => this.log.error("ticket event failed", { ticketId, error: error as Error }));
    return true;
  }

  /** Tells customers whose ticket nobody claimed within `unansweredMs`; once per ticket. Returns how many. */
  async remindUnanswered(now = new Date()): Promise<number> {
    const due = await this.db.prisma.ticket.findMany({
      where: { status: "open", unansweredAt: null, createdAt: { lte: new Date(now.getTime() - (this.options.unansweredMs ?? 15 * 60_000)) } },
      take: 100,
    });
    let told = 0;
    for (const t of due) {
      const claimed = await this.db.prisma.$transaction(async (tx) => {
        const changed = await tx.ticket.updateMany({ where: { id: t.id, status: "open", unansweredAt: null }, data: { unansweredAt: now } });
        if (changed.count > 0) await recordInteraction(tx, t.contactId, { direction: "event", kind: "ticket.unanswered", actor: "system", data: { ticketId: t.id } });
        return changed.count > 0;
      });
      if (!claimed) continue;
      await this.tell(t.contactId, "support:unanswered");
      await this.outbox.refreshCard(t.id);
      told++;
    }
    return told;
  }

  /** Says something to the customer in their language, stored in the history first. */
  private async tell(contactId: string, key: string): Promise<void> {
    const contact = await this.db.prisma.contact.findUnique({ where: { id: contactId }, select: { locale: true } });
    const text = this.translator().t(contact?.locale ?? "en", key);
    await recordInteraction(this.db.prisma, contactId, { direction: "out", kind: "text", actor: "bot", text, data: { key } });
    await this.line.sendTo(contactId, { text });
  }

  private isCancel(m: HandedOffMessage): boolean {
    const b = m.event.body;
    if (b.kind === "command") return b.command === "cancel";
    if (b.kind === "choice") return b.value === "support.cancel";
    if (b.kind !== "text") return false;
    return asksToCancel(this.translator(), m.locale, b.text);
  }
}
