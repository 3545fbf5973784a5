import type { Logger } from "../core/log";
import type { Database } from "../db/Database";
import { ACTIVE_STATUSES } from "./Ticket";
import type { CustomerLine } from "./SupportDesk";
import type { MediaFile } from "../core/Channel";
import type { RelayOutcome, StaffDesk, StaffRef, ThreadNote } from "./StaffDesk";
import { buildTicketCard, CARD_TEXT_LIMIT } from "./TicketCard";

/** Outbox settings; the defaults suit production, tests shorten them. */
export interface OutboxOptions {
  /** Wait before each retry of a relayed message; after the last, it is marked failed and staff told. */
  retryDelaysMs?: number[];
  /** How often pending work is looked at without a kick (a retry coming due, another instance's work). */
  pollMs?: number;
}

const DEFAULT_RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000];
/** A message being delivered is leased for this long; a crashed sender's lease runs out and another retries. */
const LEASE_MS = 60_000;
/** A card claimed for posting by a sender that crashed is retried after this long. */
const CARD_CLAIM_TIMEOUT_MS = 120_000;
const BATCH = 50;

/**
 * The relay's delivery side, a transactional outbox: ticket cards, customers' messages for the
 * thread and staff replies for the customer are rows first, delivered here, and retried with backoff
 * until they arrive. A message that still fails after the last retry is marked failed and staff are
 * told in the thread, never dropped silently. Rows are claimed with conditional updates (a lease), so
 * several instances can run outboxes on one database without delivering anything twice.
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
  ) {}

  /** Polls for due work every `pollMs` until stopped. */
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

  /** Delivers what is due soon, without waiting (after new work was stored). */
  kick(): void {
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
      return total;
    })();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  /** Redraws a ticket's card; if Slack refuses, the card is marked stale and the next pass retries. */
  async refreshCard(ticketId: string): Promise<void> {
    const staff = this.staff();
    const ticket = await this.db.prisma.ticket.findUnique({ where: { id: ticketId } });
    if (!staff || !ticket?.cardRef || !ticket.staffChannel || ticket.cardRef.startsWith("posting:")) return;
    try {
      await staff.updateCard({ channel: ticket.staffChannel, ts: ticket.cardRef }, await buildTicketCard(this.db.prisma, ticketId));
      if (ticket.cardStale) await this.db.prisma.ticket.update({ where: { id: ticketId }, data: { cardStale: false } });
    } catch (error) {
      this.log.warn("could not update a ticket card; will retry", { ticketId, error: error as Error });
      await this.db.prisma.ticket.update({ where: { id: ticketId }, data: { cardStale: true } });
    }
  }

  /** Posts a notice for staff into a ticket's thread (best effort: the ticket's state is already stored). */
  async notifyStaff(ticketId: string, text: string): Promise<void> {
    const staff = this.staff();
    const ticket = await this.db.prisma.ticket.findUnique({ where: { id: ticketId } });
    if (!staff || !ticket?.cardRef || !ticket.staffChannel || ticket.cardRef.startsWith("posting:")) return;
    await staff.postInThread({ channel: ticket.staffChannel, ts: ticket.cardRef }, { kind: "notice", text })
      .catch((error: unknown) => this.log.warn("could not post in a ticket thread", { ticketId, error: error as Error }));
  }

  private async pass(now: Date): Promise<number> {
    const staff = this.staff();
    let done = 0;
    if (staff) done += await this.postCards(staff, now);
    if (staff) done += await this.redrawStaleCards();
    const due = await this.db.prisma.ticketMessage.findMany({
      where: { status: "pending", nextAttemptAt: { lte: now }, ...(staff ? {} : { direction: "to_customer" }) },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: BATCH,
      include: { ticket: true },
    });
    for (const m of due) {
      const lease = await this.db.prisma.ticketMessage.updateMany({ where: { id: m.id, status: "pending", nextAttemptAt: m.nextAttemptAt }, data: { nextAttemptAt: new Date(now.getTime() + LEASE_MS) } });
      if (lease.count === 0) continue; // another instance has it
      if (m.direction === "to_staff") done += (await this.toStaff(staff!, m, now)) ? 1 : 0;
      else done += (await this.toCustomer(m, now)) ? 1 : 0;
    }
    return done;
  }

  /** Posts the card of every active ticket that has none yet (new, or queued while Slack was off). */
  private async postCards(staff: StaffDesk, now: Date): Promise<number> {
    const stale = `posting:${new Date(now.getTime() - CARD_CLAIM_TIMEOUT_MS).toISOString()}`;
    const waiting = await this.db.prisma.ticket.findMany({
      where: { status: { in: [...ACTIVE_STATUSES] }, OR: [{ cardRef: null }, { cardRef: { startsWith: "posting:", lt: stale } }] },
      orderBy: { createdAt: "asc" }, take: BATCH,
    });
    let posted = 0;
    for (const t of waiting) {
      const claim = `posting:${now.toISOString()}`;
      const won = await this.db.prisma.ticket.updateMany({ where: { id: t.id, cardRef: t.cardRef }, data: { cardRef: claim } });
      if (won.count === 0) continue;
      try {
        const card = await buildTicketCard(this.db.prisma, t.id);
        const ref = await staff.postCard(card);
        await this.db.prisma.ticket.update({ where: { id: t.id }, data: { cardRef: ref.ts, staffChannel: ref.channel, cardStale: false } });
        // The card shows the first CARD_TEXT_LIMIT characters; the whole question opens the thread.
        if (card.questionTruncated) await staff.postInThread(ref, { kind: "customer", name: card.customer.name, text: t.question ?? "" });
        posted++;
      } catch (error) {
        this.log.warn("could not post a ticket card; will retry", { ticketId: t.id, error: error as Error });
        await this.db.prisma.ticket.updateMany({ where: { id: t.id, cardRef: claim }, data: { cardRef: null } });
      }
    }
    return posted;
  }

  private async redrawStaleCards(): Promise<number> {
    const stale = await this.db.prisma.ticket.findMany({ where: { cardStale: true }, take: BATCH, select: { id: true } });
    for (const t of stale) await this.refreshCard(t.id);
    return 0;
  }

  private async toStaff(staff: StaffDesk, m: { id: string; text: string; attempts: number; interactionId: string | null; ticket: { id: string; cardRef: string | null; staffChannel: string | null; contactId: string; channel: string | null } }, now: Date): Promise<boolean> {
    const t = m.ticket;
    if (!t.cardRef || !t.staffChannel || t.cardRef.startsWith("posting:")) {
      // The card is not posted yet (Slack down): keep the message, in order, for the next pass.
      await this.db.prisma.ticketMessage.update({ where: { id: m.id }, data: { nextAttemptAt: now } });
      return false;
    }
    try {
      const contact = await this.db.prisma.contact.findUnique({ where: { id: t.contactId }, select: { displayName: true, username: true } });
      const note: ThreadNote = { kind: "customer", name: contact?.displayName ?? contact?.username ?? "Customer", text: m.text };
      const card = { channel: t.staffChannel, ts: t.cardRef };
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

  private async toCustomer(m: { id: string; text: string; attempts: number; staffRef: string | null; ticket: { id: string; contactId: string; staffChannel: string | null; cardRef: string | null } }, now: Date): Promise<boolean> {
    const result = await this.line.sendTo(m.ticket.contactId, { text: m.text });
    const t = m.ticket;
    const refs = m.staffRef && t.staffChannel && t.cardRef ? { card: { channel: t.staffChannel, ts: t.cardRef }, message: { channel: t.staffChannel, ts: m.staffRef } } : undefined;
    if (result.ok) {
      await this.db.prisma.ticketMessage.update({ where: { id: m.id }, data: { status: "delivered", deliveredAt: new Date(), attempts: m.attempts + 1 } });
      if (refs) await this.mark(refs.card, refs.message, { kind: "delivered" });
      return true;
    }
    const willRetry = await this.failed(m, result.error, now);
    // Staff see the first failure and the final one; retries in between are quiet.
    if (refs && (m.attempts === 0 || !willRetry)) await this.mark(refs.card, refs.message, { kind: "failed", reason: result.error.message, willRetry });
    return false;
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
