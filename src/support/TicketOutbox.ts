import type { MediaFile } from "../core/Channel";
import type { Logger } from "../core/log";
import { newId } from "../core/ids";
import type { Database, Prisma } from "../db/Database";
import { recordInteraction } from "../history/recordInteraction";
import type { Translator } from "../i18n/Translator";
import { ACTIVE_STATUSES } from "./Ticket";
import type { CustomerLine } from "./CustomerLine";
import { StaffMessageGoneError, type RelayOutcome, type StaffDesk, type StaffRef, type ThreadNote } from "./StaffDesk";
import { buildTicketCard } from "./TicketCard";
import { enqueueMessage } from "../outbox/enqueueMessage";
import type { SendReceipt } from "../outbox/OutboxDispatcher";
import { sql } from "../db/plan";
import { withDbRetry } from "../db/retry";
import { anyRow } from "../db/anyRow";

/** Outbox settings; the defaults suit production, tests shorten them. */
export interface OutboxOptions {
  /** Wait before each retry of a relayed message; after the last, it is marked failed and staff told. */
  retryDelaysMs?: number[];
  /** How often pending work is looked at without a kick (a retry coming due, another instance's work). */
  pollMs?: number;
  /**
   * How long heads claimed in a batch stay this process's before it reaches them (default 30 s);
   * each is leased for the full five minutes as its post starts. A process killed mid-batch strands
   * only the message it was posting.
   */
  claimMs?: number;
}

/** The writes a relay row needs, inside the caller's transaction. */
export type RelayWriter = Pick<Prisma, "ticketMessage" | "interaction" | "contact" | "outboxMessage" | "channelIdentity">;

/** A customer-bound relay row handed to the customer outbox; its receipt sets delivered or failed. */
export const QUEUED = "queued";
/** The outbox `source` of a relay row's message: its receipt finds the row by it. */
const SOURCE = "ticket:";

const DEFAULT_RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000];
/**
 * A message or card being delivered is leased for this long, from when the lease is taken; a crashed
 * sender's lease runs out and another instance retries. Longer than the Slack client's own retries
 * (SlackSupport keeps them under a minute) and a rate limit's wait.
 */
const LEASE_MS = 5 * 60_000;
/**
 * How long a card's post may take from its claim until its Slack ts is recorded (the lease): while a
 * claim this young stands, a staff reply in an unknown thread may be for that card (SupportDesk).
 */
export const CARD_POST_LEASE_MS = LEASE_MS;
const BATCH = 50;
/** A card being posted is claimed with this prefix and the time; then its Slack ts replaces it. */
export const POSTING = "posting:";

/**
 * The relay's delivery side. Ticket cards and customers' messages for the thread are rows first,
 * posted here, and retried with backoff until they arrive, in order per ticket; each pass takes the
 * next due row of each ticket, so fifty messages behind one failing ticket starve no other (issue
 * 13). Staff replies and the desk's notices for the customer go through the one customer outbox
 * (src/outbox/, in order with the bot's own replies): their relay row is marked `queued` in the same
 * transaction, and the outbox's receipts set it delivered (✅ on the staff message) or failed (❌,
 * and "gave up" told in the thread), never dropped silently. Rows are claimed with conditional
 * updates (a lease), so several instances can run on one database without posting anything twice.
 */
export class TicketOutbox {
  private running: Promise<number> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly line: CustomerLine,
    private readonly staff: () => StaffDesk | undefined,
    private readonly log: Logger,
    private readonly options: OutboxOptions = {},
  ) {
    line.outbox.onReceipt((receipt) => this.receipt(receipt));
  }

  /** Delivers in the background from now on: after each kick, and every `pollMs` for retries. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 5_000);
    this.timer.unref();
    this.kick();
  }

  /** Stops polling and waits for a delivery in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => 0);
  }

  /** Delivers what is due soon, without waiting (after new work was stored); only once started (not in CLI commands). */
  kick(): void {
    if (!this.timer) return;
    void this.flush().catch((error: unknown) => this.log.error("support outbox failed", { error: error as Error }));
  }

  /** Delivers everything due now; one pass at a time (a call during a pass runs another after it). */
  async flush(now?: Date): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      do {
        this.again = false;
        total += await this.pass(now ?? new Date());
      } while (this.again);
      // Staff replies and notices are the customer outbox's: send what is due now and wait for it.
      total += await this.line.outbox.drain();
      return total;
    })();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  /**
   * Queues something the bot tells a customer about their ticket (resolved, nobody has answered yet),
   * in their language, inside the caller's transaction: stored in the history with the change it
   * reports, and delivered in order after any staff reply still on its way. `sourceKey` tells apart
   * notices that may repeat (an answer to each /menu typed while a person has the chat); by default a
   * notice is sent once per ticket and key.
   */
  async enqueueNotice(tx: RelayWriter, ticket: { id: string; contactId: string; channel: string | null }, key: string, translator: Translator, sourceKey = `notice:${ticket.id}:${key}`): Promise<void> {
    const contact = await tx.contact.findUnique({ where: { id: ticket.contactId }, select: { locale: true } });
    const text = translator.t(contact?.locale ?? "en", key);
    const interactionId = await recordInteraction(tx, ticket.contactId, { direction: "out", kind: "text", actor: "bot", channel: ticket.channel ?? undefined, text, data: { key, ticketId: ticket.id } });
    const id = newId();
    await tx.ticketMessage.create({ data: {
      id, ticketId: ticket.id, direction: "to_customer", interactionId, text, author: "bot",
      sourceKey, status: QUEUED, nextAttemptAt: new Date(),
    } });
    await queueForCustomer(tx, ticket, id, text, interactionId);
  }

  /** Redraws a ticket's card; if Slack refuses, the card is marked stale and the next pass retries. */
  async refreshCard(ticketId: string): Promise<void> {
    const staff = this.staff();
    const ticket = await this.db.prisma.ticket.findUnique({ where: { id: ticketId } });
    if (!staff || !ticket?.cardRef || !ticket.staffChannel) return;
    if (ticket.cardRef.startsWith(POSTING)) {
      // Being posted right now, perhaps with the old state: redraw once it is there.
      await this.db.prisma.ticket.update({ where: { id: ticketId }, data: { cardStale: true } });
      return;
    }
    try {
      await staff.updateCard({ channel: ticket.staffChannel, ts: ticket.cardRef }, await buildTicketCard(this.db.prisma, ticketId));
      if (ticket.cardStale) await this.db.prisma.ticket.update({ where: { id: ticketId }, data: { cardStale: false } });
    } catch (error) {
      const gone = error instanceof StaffMessageGoneError; // deleted in Slack: nothing left to redraw
      this.log.warn(gone ? "a ticket card is gone from the staff channel; not redrawn" : "could not update a ticket card; will retry", { ticketId, error: error as Error });
      await this.db.prisma.ticket.update({ where: { id: ticketId }, data: { cardStale: !gone } });
    }
  }

  /** Posts a notice for staff into a ticket's thread (best effort: what it reports is already stored). */
  async notifyStaff(ticketId: string, text: string): Promise<void> {
    const staff = this.staff();
    const ticket = await this.db.prisma.ticket.findUnique({ where: { id: ticketId } });
    if (!staff || !ticket?.cardRef || !ticket.staffChannel || ticket.cardRef.startsWith(POSTING)) return;
    await staff.postInThread({ channel: ticket.staffChannel, ts: ticket.cardRef }, { kind: "notice", text })
      .catch((error: unknown) => this.log.warn("could not post in a ticket thread", { ticketId, error: error as Error }));
  }

  private async pass(now: Date): Promise<number> {
    const staff = this.staff();
    let done = 0;
    if (staff) done += await this.postCards(staff);
    if (staff) await this.redrawStaleCards();
    await this.handOverLegacy();
    if (!staff) return done;
    // Customers' messages wait for their ticket's card. One row per ticket: its oldest pending one,
    // if due; later rows of a ticket never overtake it, and a ticket stuck in retries takes no place
    // from the others (the 50 oldest rows overall did: issue 13). The heads are leased in the same
    // statement that finds them: read first and leased after, another instance's lease taken in
    // between was read back as the row's due time and "matched", and both posted the message (issue
    // 17, found by the three-instance test). PostgreSQL skips heads another pass is claiming.
    const skipLocked = this.db.dialect === "postgresql" ? "FOR UPDATE OF m SKIP LOCKED" : "";
    const claimedUntil = new Date(Date.now() + (this.options.claimMs ?? 30_000));
    const claimed = await this.db.query(sql(
      `UPDATE ticket_messages SET next_attempt_at = ?
       WHERE id IN (SELECT m.id FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
         WHERE m.status = 'pending' AND m.direction = 'to_staff' AND m.next_attempt_at <= ?
           AND t.card_ref IS NOT NULL AND t.card_ref NOT LIKE '${POSTING}%'
           AND NOT EXISTS (SELECT 1 FROM ticket_messages e WHERE e.ticket_id = m.ticket_id AND e.direction = m.direction AND e.status = 'pending'
             AND (e.created_at < m.created_at OR (e.created_at = m.created_at AND e.id < m.id)))
         ORDER BY m.created_at LIMIT ${BATCH} ${skipLocked})
         AND status = 'pending' AND next_attempt_at <= ?
       RETURNING id`, claimedUntil, now, now));
    const due = await this.db.prisma.ticketMessage.findMany({ where: { id: { in: claimed.map((h) => h.id as string) } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], include: { ticket: true } });
    for (const m of due) {
      // Still ours (the claim's own time, which only this pass wrote), now leased for the post itself.
      const lease = await this.db.prisma.ticketMessage.updateMany({ where: { id: m.id, status: "pending", nextAttemptAt: claimedUntil }, data: { nextAttemptAt: new Date(Date.now() + LEASE_MS) } });
      if (lease.count === 0) continue; // the claim ran out while earlier posts took their time, and another instance has it
      done += (await this.toStaff(staff, m, now)) ? 1 : 0;
    }
    // A ticket whose head was just posted has its next row due: another pass takes it.
    if (due.length > 0) this.again = true;
    return done;
  }

  /**
   * Customer-bound rows stored before the relay used the customer outbox (`pending`, from an older
   * version) are handed to it now, once each.
   */
  private async handOverLegacy(): Promise<void> {
    if (!(await anyRow(this.db, "SELECT id FROM ticket_messages WHERE direction = 'to_customer' AND status = 'pending'"))) return; // every pass: see anyRow
    const legacy = await this.db.prisma.ticketMessage.findMany({ where: { direction: "to_customer", status: "pending" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: BATCH, include: { ticket: true } });
    for (const m of legacy) {
      await this.db.prisma.$transaction(async (tx) => {
        const taken = await tx.ticketMessage.updateMany({ where: { id: m.id, status: "pending" }, data: { status: QUEUED } });
        if (taken.count > 0) await queueForCustomer(tx, m.ticket, m.id, m.text, m.interactionId);
      });
    }
  }

  /**
   * What became of a staff reply or notice in the customer outbox: delivered (✅ on the staff
   * message), failing (❌ with the reason on the first failure; retries are quiet) or given up (❌,
   * and staff are told in the thread).
   */
  private async receipt(r: SendReceipt): Promise<void> {
    if (!r.entry.source?.startsWith(SOURCE)) return;
    await this.settle(r.entry.source.slice(SOURCE.length), r.outcome, r.attempts, r.error, r.willRetry);
  }

  /**
   * Staff replies and notices still `queued` whose outbox message was sent or failed for good more
   * than `graceMs` ago: the process that sent it died between the outbox's mark and its receipt
   * (kill -9; found by bench:instances), so the relay row would say "on its way" for ever and staff
   * never see ✅. Settled from the outbox row, as the receipt would have (the sweeper's task).
   */
  async settleLostReceipts(now = new Date(), graceMs = 60_000): Promise<number> {
    const lost = await this.db.query(sql(
      // The outbox is searched by its (source, status) index (migration 0017), one row per queued message.
      `SELECT m.id, o.status, o.attempts, o.last_error FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
         JOIN outbox o ON o.contact_id = t.contact_id AND o.source = ? || m.id
       WHERE m.status = ? AND o.status IN ('sent', 'failed') AND COALESCE(o.sent_at, o.created_at) < ? LIMIT 100`,
      SOURCE, QUEUED, new Date(now.getTime() - graceMs)));
    for (const row of lost) {
      const sent = row.status === "sent";
      await this.settle(row.id as string, sent ? "sent" : "failed", Number(row.attempts), sent ? undefined : new Error(String(row.last_error ?? "not delivered")), false);
    }
    return lost.length;
  }

  /** Records what became of a relay row's message, and marks the staff message (✅, or ❌ with the reason). */
  private async settle(id: string, outcome: "sent" | "failed", attempts: number, error?: Error, willRetry?: boolean): Promise<void> {
    const m = await this.db.prisma.ticketMessage.findUnique({ where: { id }, include: { ticket: true } });
    if (!m) return;
    const t = m.ticket;
    const refs = m.staffRef && t.staffChannel && t.cardRef ? { card: { channel: t.staffChannel, ts: t.cardRef }, message: { channel: t.staffChannel, ts: m.staffRef } } : undefined;
    if (outcome === "sent") {
      await this.db.prisma.ticketMessage.update({ where: { id: m.id }, data: { status: "delivered", deliveredAt: new Date(), attempts } });
      if (refs) await this.mark(refs.card, refs.message, { kind: "delivered" });
      return;
    }
    const reason = error?.message ?? "not delivered";
    this.log.warn("support relay failed", { messageId: m.id, attempts, willRetry, error });
    await this.db.prisma.ticketMessage.update({ where: { id: m.id }, data: { attempts, lastError: reason.slice(0, 1000), ...(willRetry ? {} : { status: "failed" }) } });
    if (refs && (m.attempts === 0 || !willRetry)) await this.mark(refs.card, refs.message, { kind: "failed", reason, willRetry: willRetry === true });
  }

  /**
   * Posts the card of every ticket that has none yet: active ones (new, or queued while Slack was
   * off) and closed ones with customer messages still to show, so nothing a customer wrote is stuck.
   */
  private async postCards(staff: StaffDesk): Promise<number> {
    const expired = `${POSTING}${new Date(Date.now() - LEASE_MS).toISOString()}`;
    const waiting = await this.db.prisma.ticket.findMany({
      where: { AND: [
        { OR: [{ status: { in: [...ACTIVE_STATUSES] } }, { messages: { some: { direction: "to_staff", status: "pending" } } }] },
        { OR: [{ cardRef: null }, { cardRef: { startsWith: POSTING, lt: expired } }] },
      ] },
      orderBy: { createdAt: "asc" }, take: BATCH,
    });
    let posted = 0;
    for (const t of waiting) {
      const claim = `${POSTING}${new Date().toISOString()}`;
      const won = await this.db.prisma.ticket.updateMany({ where: { id: t.id, cardRef: t.cardRef }, data: { cardRef: claim } });
      if (won.count === 0) continue;
      try {
        const card = await buildTicketCard(this.db.prisma, t.id);
        const ref = await staff.postCard(card);
        // Slack shows the card now and staff may answer in its thread: its ts is recorded through a
        // database outage (until the claim's lease runs out), or their replies would find no ticket
        // and the card would be posted again, leaving the first thread orphaned (the fault bench's 60 s outage).
        const claimedAt = Date.parse(claim.slice(POSTING.length));
        const kept = await withDbRetry(() => this.db.prisma.ticket.updateMany({ where: { id: t.id, cardRef: claim }, data: { cardRef: ref.ts, staffChannel: ref.channel } }),
          { budgetMs: Math.max(claimedAt + LEASE_MS - Date.now(), 0) });
        if (kept.count === 0) this.log.warn("a ticket card was posted twice (a lease ran out while Slack was slow)", { ticketId: t.id });
        // The card shows the first part of a long question; the whole question opens the thread.
        if (card.questionTruncated) await staff.postInThread(ref, { kind: "customer", name: card.customer.name, text: t.question ?? "" });
        // The ticket changed while its card was on the way (claimed, closed): redraw it.
        const current = await this.db.prisma.ticket.findUnique({ where: { id: t.id }, select: { status: true, cardStale: true } });
        if (current && (current.status !== card.status || current.cardStale)) await this.refreshCard(t.id);
        posted++;
      } catch (error) {
        this.log.warn("could not post a ticket card; will retry", { ticketId: t.id, error: error as Error });
        await this.db.prisma.ticket.updateMany({ where: { id: t.id, cardRef: claim }, data: { cardRef: null } });
      }
    }
    return posted;
  }

  private async redrawStaleCards(): Promise<void> {
    const stale = await this.db.prisma.ticket.findMany({ where: { cardStale: true, cardRef: { not: null } }, take: BATCH, select: { id: true } });
    for (const t of stale) await this.refreshCard(t.id);
  }

  private async toStaff(staff: StaffDesk, m: { id: string; text: string; attempts: number; interactionId: string | null; ticket: { id: string; cardRef: string | null; staffChannel: string | null; contactId: string; channel: string | null } }, now: Date): Promise<boolean> {
    const t = m.ticket;
    try {
      const contact = await this.db.prisma.contact.findUnique({ where: { id: t.contactId }, select: { displayName: true, username: true } });
      const note: ThreadNote = { kind: "customer", name: contact?.displayName ?? contact?.username ?? "Customer", text: m.text };
      const card = { channel: t.staffChannel!, ts: t.cardRef! };
      const file = await this.fileOf(m.interactionId, t.channel);
      const posted = file instanceof Error
        ? await staff.postInThread(card, { ...note, text: `${m.text} (the file could not be fetched: ${file.message})` })
        : file ? await staff.postFileInThread(card, file, note) : await staff.postInThread(card, note);
      await this.db.prisma.ticketMessage.update({ where: { id: m.id }, data: { status: "delivered", deliveredAt: new Date(), staffRef: posted.ts, attempts: m.attempts + 1 } });
      return true;
    } catch (error) {
      await this.failed(m, error, now);
      return false;
    }
  }

  /** The file a relayed message carries (a photo, a voice message), fetched from the customer's channel; an Error if that failed. */
  private async fileOf(interactionId: string | null, channel: string | null): Promise<MediaFile | Error | undefined> {
    if (!interactionId || !channel) return undefined;
    const row = await this.db.prisma.interaction.findUnique({ where: { id: interactionId }, select: { kind: true, data: true } });
    if (!row?.kind.startsWith("media.") || !row.data) return undefined;
    const fileId = (JSON.parse(row.data) as { fileId?: unknown }).fileId;
    if (typeof fileId !== "string") return undefined;
    try {
      return await this.line.downloadFile(channel, fileId);
    } catch (error) {
      this.log.warn("could not fetch a customer's file for staff", { interactionId, error: error as Error });
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Schedules the next attempt, or gives up after the last; true while it will be retried. */
  private async failed(m: { id: string; attempts: number }, error: unknown, now: Date): Promise<boolean> {
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const attempts = m.attempts + 1;
    const willRetry = attempts <= delays.length;
    const reason = error instanceof Error ? error.message : String(error);
    this.log.warn("support relay failed", { messageId: m.id, attempts, willRetry, error: error as Error });
    await this.db.prisma.ticketMessage.update({ where: { id: m.id }, data: {
      attempts, lastError: reason.slice(0, 1000),
      ...(willRetry ? { nextAttemptAt: new Date(now.getTime() + delays[attempts - 1]!) } : { status: "failed" }),
    } });
    return willRetry;
  }

  private async mark(card: StaffRef, message: StaffRef, outcome: RelayOutcome): Promise<void> {
    await this.staff()?.markRelayed(card, message, outcome).catch((error: unknown) => this.log.warn("could not mark a relayed message in the staff channel", { error: error as Error }));
  }
}

/**
 * Hands a customer-bound relay row (a staff reply, a notice) to the customer outbox in the caller's
 * transaction, addressed to the channel the ticket came from (else the contact's newest one); its
 * receipt comes back to TicketOutbox by `source`. A contact with no channel left fails the row.
 */
export async function queueForCustomer(tx: RelayWriter, ticket: { id: string; contactId: string; channel: string | null }, ticketMessageId: string, text: string, interactionId: string | null): Promise<void> {
  const identity = (ticket.channel ? await tx.channelIdentity.findFirst({ where: { contactId: ticket.contactId, channel: ticket.channel }, orderBy: { createdAt: "desc" } }) : null)
    ?? await tx.channelIdentity.findFirst({ where: { contactId: ticket.contactId }, orderBy: { createdAt: "desc" } });
  if (!identity) {
    await tx.ticketMessage.update({ where: { id: ticketMessageId }, data: { status: "failed", lastError: "the customer has no channel to reach them on" } });
    return;
  }
  await enqueueMessage(tx, {
    contactId: ticket.contactId, to: { channel: identity.channel, externalChatId: identity.externalId, externalUserId: identity.externalId },
    message: { text }, priority: "conversation", interactionId: interactionId ?? undefined, source: `${SOURCE}${ticketMessageId}`,
  });
}
