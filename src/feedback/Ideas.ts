import { RapportError } from "../core/errors";
import { newId } from "../core/ids";
import type { Logger } from "../core/log";
import { ServiceKey } from "../core/services";
import type { Database } from "../db/Database";
import type { Tx } from "../db/lockContact";
import { isUniqueViolation, withDbRetry } from "../db/retry";
import { recordInteraction } from "../history/recordInteraction";
import { recordAudit } from "../audit/record";
import { cleanCustomerText, DEFAULT_REVIEW_WORDS, reviewReasons } from "./moderation";

/**
 * Where an idea stands. Open and planned ideas are listed and take votes; done and declined are
 * closed; held ones wait for review (nobody else sees them), rejected ones failed it; erased ones lost
 * their author and text (issue 16).
 */
export type IdeaStatus = "held" | "open" | "planned" | "done" | "declined" | "rejected" | "erased";

/** What staff can mark an idea as (an idea never goes back to open). */
export type IdeaDecision = "planned" | "done" | "declined";

/** The statuses staff may set, for the CLI's usage check. */
export const IDEA_DECISIONS: readonly IdeaDecision[] = ["planned", "done", "declined"];

/** An idea as a customer sees it in the top list. */
export interface IdeaView {
  id: string;
  text: string;
  status: IdeaStatus;
  votes: number;
  createdAt: Date;
  /** The viewer suggested it (they cannot vote for it). */
  own: boolean;
  /** The viewer has voted for it already. */
  votedByViewer: boolean;
}

/** The outcome of a vote; `votes` is the idea's count afterwards (0 when the idea is unknown). */
export interface VoteResult {
  status: "voted" | "already" | "own" | "closed" | "unknown";
  votes: number;
}

/** The idea a proposal made, or the one an earlier identical proposal made (`duplicate`). */
export interface Proposed {
  id: string;
  text: string;
  duplicate: boolean;
  /** Waiting for review before other customers see it (a link, a phone number, …). */
  held: boolean;
}

/** Length limits of an idea, in characters after trimming. */
export const IDEA_TEXT = { min: 5, max: 500 } as const;

/** An idea's text is too short or too long; flows turn the `reason` into a message in the customer's language. */
export class IdeaTextError extends RapportError {
  readonly code = "rapport_idea_text_invalid";
  constructor(readonly reason: "too_short" | "too_long", readonly length: number) {
    super(`an idea must be ${IDEA_TEXT.min} to ${IDEA_TEXT.max} characters after trimming; this one has ${length}. Nothing was stored.`);
  }
}

/** No idea has this id (a typo on the command line, or the idea's author was erased). */
export class IdeaNotFoundError extends RapportError {
  readonly code = "rapport_idea_not_found";
  constructor(readonly ideaId: string) {
    super(`no idea with id "${ideaId}"; \`rapport ideas --all\` lists every idea with its id`);
  }
}

/** `rapport ideas review <id>` named an idea that is not waiting for review. */
export class IdeaNotHeldError extends RapportError {
  readonly code = "rapport_idea_not_held";
  constructor(readonly ideaId: string, readonly status: string) {
    super(`idea "${ideaId}" is not waiting for review (it is ${status}); \`rapport ideas review\` lists the ideas that are`);
  }
}

/** Service key for the ideas board. */
export const IDEAS = new ServiceKey<Ideas>("ideas");

const OPEN_FOR_VOTES: IdeaStatus[] = ["open", "planned"];
/** Concurrent votes on one popular idea queue on its row: wait rather than fail. */
const VOTE_TX = { maxWait: 30_000, timeout: 30_000 } as const;

/**
 * The ideas board: customers propose ideas and vote for others' (one vote per customer per idea,
 * enforced by the vote's primary key, so concurrent taps count once); staff mark ideas planned, done
 * or declined, and the author and every voter are told through `notify` (the app emits
 * `idea.status_changed`, which `flows/idea-update.yaml` answers). Every proposal, vote and status
 * change is a contact-history row written in the transaction that makes it (issue "Feedback and
 * insight": votes are in the contact history).
 */
export class Ideas {
  constructor(
    private readonly db: Database,
    /**
     * Tells one customer: the app schedules the event as a job (so a mark made from the CLI is sent by
     * the running bot, and a customer busy in another conversation is told later) or emits it.
     * `key` is unique per person per status change, for the scheduler's idempotency. `false` means
     * the customer was not told.
     */
    private readonly notify: (contactId: string, event: string, data: Record<string, unknown>, key: string) => Promise<boolean | void>,
    private readonly log: Logger,
    /** The words that hold an idea for review (IDEAS_REVIEW_WORDS); read at each proposal, so a change applies at once. */
    private readonly reviewWords: () => readonly string[] = () => DEFAULT_REVIEW_WORDS,
  ) {}

  /**
   * Stores a customer's idea. Whitespace is collapsed (the list shows one line per idea). Idempotent
   * by `key` (the flow's step key): the history row carries it as its unique dedupe key, so a retried
   * turn or a redelivered message finds the first idea instead of storing a second. The same author
   * proposing the same text again, while it is still open, also gets the existing idea back.
   */
  async propose(contactId: string, rawText: string, key: string, within?: (tx: Tx, proposed: Proposed) => Promise<void>): Promise<Proposed> {
    const text = cleanCustomerText(rawText);
    const length = [...text].length;
    if (length < IDEA_TEXT.min) throw new IdeaTextError("too_short", length);
    if (length > IDEA_TEXT.max) throw new IdeaTextError("too_long", length);
    const dedupeKey = `idea.proposed:${key}`;
    const earlier = await this.proposedWith(dedupeKey);
    if (earlier) return earlier;
    const same = await this.db.prisma.idea.findFirst({ where: { contactId, text, status: { in: [...OPEN_FOR_VOTES, "held"] } }, select: { id: true, status: true } });
    if (same) return { id: same.id, text, duplicate: true, held: same.status === "held" };
    const id = newId();
    const reasons = reviewReasons(text, this.reviewWords());
    const held = reasons.length > 0;
    try {
      await withDbRetry(() => this.db.prisma.$transaction(async (tx) => {
        const now = new Date();
        await tx.idea.create({ data: { id, contactId, text, status: held ? "held" : "open", reviewReason: held ? reasons.join(",") : null, createdAt: now, updatedAt: now } });
        await recordInteraction(tx, contactId, { direction: "event", kind: "idea.proposed", actor: "customer", text, dedupeKey, data: { ideaId: id, ...(held ? { held, reasons } : {}) } });
        await within?.(tx as never, { id, text, duplicate: false, held });
      }));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const first = await this.proposedWith(dedupeKey); // a concurrent attempt with the same key won
      if (first) return first;
      throw error;
    }
    this.log.info(held ? "idea held for review" : "idea proposed", { ideaId: id, contactId, ...(held ? { reasons } : {}) });
    return { id, text, duplicate: false, held };
  }

  /**
   * The most-voted open and planned ideas, most votes first (ties: the older idea first), with what
   * `viewerId` may do with each: their own ideas and the ones they voted for are flagged.
   */
  async top(limit = 5, viewerId?: string): Promise<IdeaView[]> {
    const rows = await this.db.prisma.idea.findMany({
      where: { status: { in: OPEN_FOR_VOTES } },
      orderBy: [{ votes: "desc" }, { createdAt: "asc" }, { id: "asc" }],
      take: Math.max(1, Math.min(limit, 50)),
    });
    const voted = viewerId && rows.length > 0
      ? new Set((await this.db.prisma.ideaVote.findMany({ where: { contactId: viewerId, ideaId: { in: rows.map((r) => r.id) } }, select: { ideaId: true } })).map((v) => v.ideaId))
      : new Set<string>();
    return rows.map((r) => ({
      id: r.id, text: r.text, status: r.status as IdeaStatus, votes: r.votes, createdAt: r.createdAt,
      own: r.contactId === viewerId, votedByViewer: voted.has(r.id),
    }));
  }

  /**
   * One vote per customer per idea, however many taps arrive at once: the vote row's primary key
   * (idea, customer) refuses a second one, and the count is incremented in the same transaction,
   * guarded by the status, so a vote racing a "done" mark is refused rather than counted on a
   * closed idea. Authors cannot vote for their own idea. With `key` (the flow's step key), a retried
   * turn whose vote did commit still answers "voted".
   */
  async vote(contactId: string, ideaId: string, key?: string, within?: (tx: Tx, result: VoteResult) => Promise<void>): Promise<VoteResult> {
    const idea = await this.db.prisma.idea.findUnique({ where: { id: ideaId } });
    if (!idea) return { status: "unknown", votes: 0 };
    if (idea.contactId === contactId) return { status: "own", votes: idea.votes };
    if (!OPEN_FOR_VOTES.includes(idea.status as IdeaStatus)) return { status: "closed", votes: idea.votes };
    const dedupeKey = key ? `idea.voted:${key}` : undefined;
    if (await this.db.prisma.ideaVote.findUnique({ where: { ideaId_contactId: { ideaId, contactId } }, select: { ideaId: true } })) {
      return { status: (await this.votedWith(dedupeKey)) ? "voted" : "already", votes: idea.votes };
    }
    try {
      return await withDbRetry(() => this.db.prisma.$transaction(async (tx) => {
        const now = new Date();
        await tx.ideaVote.create({ data: { ideaId, contactId, createdAt: now } });
        const moved = await tx.idea.updateMany({ where: { id: ideaId, status: { in: OPEN_FOR_VOTES } }, data: { votes: { increment: 1 } } });
        if (moved.count === 0) throw new ClosedMeanwhile();
        const votes = (await tx.idea.findUniqueOrThrow({ where: { id: ideaId }, select: { votes: true } })).votes;
        await recordInteraction(tx, contactId, { direction: "event", kind: "idea.voted", actor: "customer", text: idea.text, dedupeKey, data: { ideaId, votes } });
        const result = { status: "voted" as const, votes };
        await within?.(tx as never, result);
        return result;
      }, VOTE_TX));
    } catch (error) {
      if (!(error instanceof ClosedMeanwhile) && !isUniqueViolation(error)) throw error;
      const votes = (await this.db.prisma.idea.findUnique({ where: { id: ideaId }, select: { votes: true } }))?.votes ?? 0;
      if (error instanceof ClosedMeanwhile) return { status: "closed", votes };
      // The vote exists. When it carries this key, it is this very request's, retried after it committed.
      return { status: (await this.votedWith(dedupeKey)) ? "voted" : "already", votes };
    }
  }

  /**
   * Staff decide an idea: planned, done or declined. The change is claimed with a guarded update, so
   * two operators marking at once tell people once; marking the status it already has tells no one.
   * The author and every voter get a history row in the same transaction, then `notify` once each
   * (a failed or undelivered notification is logged, not retried here). Returns how many people
   * were told (or, with the scheduler wiring, queued to be told).
   */
  async mark(ideaId: string, status: IdeaDecision, by: string): Promise<number> {
    if (!IDEA_DECISIONS.includes(status)) throw new RangeError(`ideas: cannot mark an idea "${status}"; use one of ${IDEA_DECISIONS.join(", ")}`);
    const idea = await this.db.prisma.idea.findUnique({ where: { id: ideaId } });
    if (!idea) throw new IdeaNotFoundError(ideaId);
    if (idea.status === status) return 0;
    const actor = by.includes(":") ? by : `agent:${by}`; // operator:<name> from the CLI, agent:<id> from staff
    const recipients = await withDbRetry(() => this.db.prisma.$transaction(async (tx) => {
      const moved = await tx.idea.updateMany({ where: { id: ideaId, status: idea.status }, data: { status, updatedAt: new Date() } });
      if (moved.count === 0) return undefined; // someone else changed it first; their mark told people
      await recordAudit(tx, { actor, action: "idea.mark", target: { type: "idea", id: ideaId }, detail: { status, from: idea.status } });
      const voters = await tx.ideaVote.findMany({ where: { ideaId }, select: { contactId: true }, orderBy: { createdAt: "asc" } });
      const people = [...new Set([idea.contactId, ...voters.map((v) => v.contactId)])];
      for (const contactId of people) {
        await recordInteraction(tx, contactId, { direction: "event", kind: "idea.status_changed", actor, text: idea.text, data: { ideaId, status, from: idea.status, author: contactId === idea.contactId } });
      }
      return people;
    }, VOTE_TX));
    if (!recipients) return 0;
    const change = newId();
    this.log.info("idea marked", { ideaId, status, by, people: recipients.length });
    let told = 0;
    // A few at a time: each notification runs a flow turn for that customer.
    for (let i = 0; i < recipients.length; i += 10) {
      const batch = recipients.slice(i, i + 10);
      const results = await Promise.allSettled(batch.map((contactId) =>
        this.notify(contactId, "idea.status_changed", { ideaId, text: idea.text, status, author: contactId === idea.contactId }, `idea.status_changed:${ideaId}:${change}:${contactId}`)));
      results.forEach((r, j) => {
        if (r.status === "fulfilled" && r.value !== false) told++;
        else if (r.status === "fulfilled") this.log.info("idea notification not delivered", { ideaId, contactId: batch[j] });
        else this.log.error("idea notification failed", { ideaId, contactId: batch[j], error: r.reason as Error });
      });
    }
    return told;
  }

  /** Ideas waiting for review, oldest first, with why they were held. */
  async held(): Promise<{ id: string; contactId: string; text: string; reasons: string[]; createdAt: Date }[]> {
    const rows = await this.db.prisma.idea.findMany({ where: { status: "held" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    return rows.map((r) => ({ id: r.id, contactId: r.contactId, text: r.text, reasons: (r.reviewReason ?? "").split(",").filter(Boolean), createdAt: r.createdAt }));
  }

  /**
   * A reviewer's decision on a held idea: approved, it is open (listed and voted on); rejected, nobody
   * else ever sees it. Claimed with a guarded update (two reviewers at once decide once), recorded in
   * the author's history and the audit log in the same transaction; an approved idea's author is then
   * told it is published (`idea.status_changed` with status "open"). Returns the idea's new status.
   */
  async review(ideaId: string, approve: boolean, by: string): Promise<IdeaStatus> {
    const idea = await this.db.prisma.idea.findUnique({ where: { id: ideaId } });
    if (!idea) throw new IdeaNotFoundError(ideaId);
    if (idea.status !== "held") throw new IdeaNotHeldError(ideaId, idea.status);
    const status: IdeaStatus = approve ? "open" : "rejected";
    await withDbRetry(() => this.db.prisma.$transaction(async (tx) => {
      const moved = await tx.idea.updateMany({ where: { id: ideaId, status: "held" }, data: { status, updatedAt: new Date() } });
      if (moved.count === 0) throw new IdeaNotHeldError(ideaId, "decided meanwhile");
      await recordInteraction(tx, idea.contactId, { direction: "event", kind: "idea.reviewed", actor: by, data: { ideaId, status } });
      await recordAudit(tx, { actor: by, action: "idea.review", target: { type: "idea", id: ideaId }, detail: { decision: approve ? "approve" : "reject", reasons: idea.reviewReason } });
    }));
    this.log.info("idea reviewed", { ideaId, status, by });
    // The author was told it would be published after a check: say when it is (not when it is rejected).
    if (approve) {
      await this.notify(idea.contactId, "idea.status_changed", { ideaId, text: idea.text, status, author: true }, `idea.status_changed:${ideaId}:reviewed:${idea.contactId}`)
        .catch((error: unknown) => this.log.error("idea notification failed", { ideaId, contactId: idea.contactId, error: error as Error }));
    }
    return status;
  }

  /** True when the vote's history row carries this key: the request is a retry of one that committed. */
  private async votedWith(dedupeKey: string | undefined): Promise<boolean> {
    return dedupeKey !== undefined && (await this.db.prisma.interaction.findUnique({ where: { dedupeKey }, select: { id: true } })) !== null;
  }

  /** The idea an earlier proposal with this dedupe key stored, if any. */
  private async proposedWith(dedupeKey: string): Promise<Proposed | undefined> {
    const row = await this.db.prisma.interaction.findUnique({ where: { dedupeKey }, select: { data: true } });
    if (!row?.data) return undefined;
    const ideaId = (JSON.parse(row.data) as { ideaId?: string }).ideaId;
    const idea = ideaId ? await this.db.prisma.idea.findUnique({ where: { id: ideaId }, select: { id: true, text: true, status: true } }) : null;
    return idea ? { id: idea.id, text: idea.text, duplicate: true, held: idea.status === "held" } : undefined;
  }
}

/** Rolls a vote back when the idea closed between the check and the increment. */
class ClosedMeanwhile extends Error {}
