import type { RetentionSettings } from "../config";
import { idFloor } from "../core/ids";
import type { Database } from "../db/Database";
import { withDbRetry } from "../db/retry";

const DAY_MS = 86_400_000;
/** Rows changed per statement: small, so the hot path never waits long behind a sweep (SQLite has one writer). */
const BATCH = 500;
/** Batches per sweep and kind; the rest waits for the next tick (every minute). */
const MAX_BATCHES = 20;

/**
 * Removes texts older than the retention settings (issue 16), in small batches: message texts in the
 * contact history, survey comments, and the question and relayed texts of long-closed tickets. Rows
 * stay (kinds, times, scores, statuses), so message counts, survey results and every report figure
 * are unchanged; only the words go. Nothing is removed with the defaults (keep for ever).
 *
 * The history is walked by primary key (ids sort by creation time, see idFloor) from a per-process
 * watermark, so a sweep never rescans rows it cleared before and needs no index on the hot table.
 */
export class Retention {
  /** History rows up to this id have been looked at by this process. */
  private historyAfter = "";

  constructor(private readonly db: Database, private readonly settings: () => RetentionSettings) {}

  /** One sweep: returns how many rows lost their text. Safe to run in several instances at once. */
  async sweep(now = new Date()): Promise<number> {
    const s = this.settings();
    let cleared = 0;
    if (s.messageTextDays !== undefined) cleared += await this.messageTexts(new Date(now.getTime() - s.messageTextDays * DAY_MS));
    if (s.surveyCommentDays !== undefined) cleared += await this.surveyComments(new Date(now.getTime() - s.surveyCommentDays * DAY_MS));
    if (s.closedTicketDays !== undefined) cleared += await this.closedTickets(new Date(now.getTime() - s.closedTicketDays * DAY_MS));
    return cleared;
  }

  private async messageTexts(cutoff: Date): Promise<number> {
    const p = this.db.prisma;
    const below = idFloor(cutoff);
    let cleared = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const rows = await withDbRetry(() => p.interaction.findMany({
        where: { id: { gt: this.historyAfter, lt: below }, text: { not: null }, occurredAt: { lt: cutoff } },
        orderBy: { id: "asc" }, take: BATCH, select: { id: true },
      }));
      if (rows.length === 0) {
        this.historyAfter = below > this.historyAfter ? below : this.historyAfter; // nothing older left with text
        break;
      }
      const ids = rows.map((r) => r.id);
      cleared += (await withDbRetry(() => p.interaction.updateMany({ where: { id: { in: ids } }, data: { text: null } }))).count;
      this.historyAfter = ids[ids.length - 1]!;
      if (rows.length < BATCH) break;
    }
    return cleared;
  }

  private async surveyComments(cutoff: Date): Promise<number> {
    const p = this.db.prisma;
    let cleared = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const rows = await withDbRetry(() => p.surveyResponse.findMany({ where: { createdAt: { lt: cutoff }, comment: { not: null } }, take: BATCH, select: { id: true } }));
      if (rows.length === 0) break;
      cleared += (await withDbRetry(() => p.surveyResponse.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { comment: null } }))).count;
      if (rows.length < BATCH) break;
    }
    return cleared;
  }

  /** Tickets closed before `cutoff` keep their times, status and agent; their question and relayed texts go. */
  private async closedTickets(cutoff: Date): Promise<number> {
    const p = this.db.prisma;
    let cleared = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const tickets = await withDbRetry(() => p.ticket.findMany({
        where: { closedAt: { lt: cutoff }, status: { notIn: ["open", "claimed"] }, OR: [{ question: { not: null } }, { messages: { some: { text: { not: "" } } } }] },
        take: 100, select: { id: true },
      }));
      if (tickets.length === 0) break;
      const ids = tickets.map((t) => t.id);
      await withDbRetry(() => p.$transaction([
        p.ticketMessage.updateMany({ where: { ticketId: { in: ids } }, data: { text: "", lastError: null } }),
        p.ticket.updateMany({ where: { id: { in: ids } }, data: { question: null } }),
      ]));
      cleared += ids.length;
      if (tickets.length < 100) break;
    }
    return cleared;
  }
}
