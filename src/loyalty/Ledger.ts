import { newId } from "../core/ids";
import { insertJob } from "../jobs/JobScheduler";
import { ServiceKey } from "../core/services";
import type { Database } from "../db/Database";
import { withDbRetry, isUniqueViolation } from "../db/retry";
import { recordInteraction } from "../history/recordInteraction";
import { ContactNotFoundError } from "../core/errors";
import type { Tx } from "../db/lockContact";
import { InsufficientPointsError } from "./errors";
import { tierFor, type LoyaltyRules, type Tier } from "./rules";

/** The kinds of ledger entry. Earn (and a positive adjust) make a batch that redeems and expiry spend, oldest first. */
export type EntryKind = "earn" | "redeem" | "adjust" | "expire" | "reverse";

/** What to post: signed points, why, from where, and the key that makes it happen once. */
export interface PostInput {
  contactId: string;
  kind: EntryKind;
  points: number;
  reason: string;
  source: string;
  /** Unique per award: the same key posted again returns the first entry and changes nothing. */
  key: string;
  /** For reverse and expire entries: the entry reversed, or the batch that expired (spent first). */
  reversesId?: string;
  /** Shown in the history entry beside the points (order id, reward id, …). */
  details?: Record<string, unknown>;
  /** Runs in the post's transaction, before commit (a flow action stores its answer with the points). */
  within?: (tx: Tx, posted: Posted) => Promise<void>;
}

/** Why points move, for earn and redeem. */
interface Why {
  reason: string;
  key: string;
  details?: Record<string, unknown>;
  within?: PostInput["within"];
}

/** A ledger entry as callers see it. */
export interface Entry {
  id: string;
  kind: string;
  points: number;
  reason: string;
  source: string;
  key: string;
  createdAt: Date;
}

/** The outcome of a post: the entry, the balance and tier after it, and whether it was a repeat. */
export interface Posted {
  entry: Entry;
  balance: number;
  tier: Tier;
  duplicate: boolean;
  /** Set when this entry moved the contact across a tier threshold. */
  tierChange?: { from: Tier; to: Tier };
}

/** Service key under which the app provides the ledger to flow actions and routes. */
export const LEDGER = new ServiceKey<Ledger>("loyalty ledger");

/** Options for transactions that post to the ledger: they may queue behind many others for one contact (1,000 concurrent awards), so wait, don't fail. */
export const LEDGER_TX = { maxWait: 60_000, timeout: 60_000 } as const;

/**
 * The loyalty ledger. Points only change by appending an entry, in one transaction with the
 * contact's balance, tier and history row; the balance is updated with a guarded increment
 * (`points + delta >= 0`), which the database applies atomically per contact, so concurrent awards
 * add up exactly and concurrent redeems never overdraw. An idempotency key is unique in the table:
 * a repeat of the same award (a retried API call, a redelivered message) returns the first entry.
 */
export class Ledger {
  constructor(
    private readonly db: Database,
    private readonly rules: () => LoyaltyRules,
    private readonly onTierChange: (contactId: string, change: { from: Tier; to: Tier }) => void = () => {},
  ) {}

  /** Adds earned points as a batch that expires per the rules. */
  earn(contactId: string, points: number, why: Why & { source: string }): Promise<Posted> {
    return this.post({ contactId, kind: "earn", points, ...why });
  }

  /** Spends points (oldest batches first); InsufficientPointsError if the balance is too low. */
  redeem(contactId: string, points: number, why: Why): Promise<Posted> {
    return this.post({ contactId, kind: "redeem", points: -points, source: "reward", ...why });
  }

  /** Undoes an entry (a refunded purchase, a rejected referral). Takes at most the current balance: it never goes below zero. */
  async reverse(entryId: string, why: { reason: string; source: string; key: string; points?: number }): Promise<Posted | undefined> {
    const original = await this.db.prisma.ledgerEntry.findUnique({ where: { id: entryId } });
    if (!original) return undefined;
    const points = -(why.points ?? original.points);
    return this.post({ contactId: original.contactId, kind: "reverse", points, reason: why.reason, source: why.source, key: why.key, reversesId: original.id });
  }

  /** Posts one entry (see the class comment). Retries transient database errors. */
  async post(input: PostInput): Promise<Posted> {
    if (!Number.isSafeInteger(input.points) || input.points === 0) throw new RangeError(`ledger: points must be a non-zero whole number, got ${input.points}`);
    const posted = await withDbRetry(async () => {
      try {
        return await this.db.prisma.$transaction(async (tx) => {
          const posted = await this.apply(tx as never, input);
          await input.within?.(tx as never, posted);
          return posted;
        }, LEDGER_TX);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        return this.repeat(input); // the key exists: this is a repeat of an earlier post
      }
    });
    this.announce(input.contactId, posted);
    return posted;
  }

  /** Tells the listener about a tier change, after commit (callers of `postIn` call it themselves); the congratulation itself is a job stored with the change. */
  announce(contactId: string, posted: Posted | undefined): void {
    if (posted?.tierChange && !posted.duplicate) this.onTierChange(contactId, posted.tierChange);
  }

  /**
   * Posts inside the caller's transaction, so a domain's own state change (a referral paid, a
   * refund stored) commits with its ledger entry and history rows or not at all. A repeated key
   * fails the transaction (P2002); tier notifications are the caller's to send after commit.
   */
  postIn(tx: Database["prisma"], input: PostInput): Promise<Posted> {
    return this.apply(tx, input);
  }

  private async apply(tx: Database["prisma"], input: PostInput): Promise<Posted> {
    const now = new Date();
    const rules = this.rules();
    const batch = input.points > 0 && (input.kind === "earn" || input.kind === "adjust");
    const expiresAt = batch && rules.expiry.after_days > 0 ? new Date(now.getTime() + rules.expiry.after_days * 86_400_000) : null;
    // Reversals and expiry depend on what the contact has now: lock the row first, then read.
    const floor = input.kind === "reverse" || input.kind === "expire" ? await this.takeable(tx, input, now) : input.points;
    const lifetime = input.kind === "earn" || input.kind === "adjust" ? Math.max(floor, 0) : input.kind === "reverse" ? Math.min(floor, 0) : 0;
    const updated = await tx.contact.updateMany({
      where: { id: input.contactId, points: { gte: -floor } },
      data: { points: { increment: floor }, lifetimePoints: { increment: lifetime }, updatedAt: now },
    });
    if (updated.count === 0) {
      const contact = await tx.contact.findUnique({ where: { id: input.contactId }, select: { points: true } });
      if (!contact) throw new ContactNotFoundError(input.contactId);
      throw new InsufficientPointsError(input.contactId, -floor, contact.points);
    }
    const entry = await tx.ledgerEntry.create({
      data: { id: newId(), contactId: input.contactId, kind: input.kind, points: floor, remaining: batch ? floor : 0, reason: input.reason,
        source: input.source, idempotencyKey: input.key, expiresAt, reversesId: input.reversesId ?? null, createdAt: now },
    });
    if (floor < 0) await this.spend(tx, input.contactId, -floor, input.reversesId);
    const contact = await tx.contact.findUniqueOrThrow({ where: { id: input.contactId }, select: { points: true, lifetimePoints: true, tier: true } });
    const tier = tierFor(rules, contact.lifetimePoints);
    let tierChange: Posted["tierChange"];
    if (tier !== contact.tier) {
      await tx.contact.update({ where: { id: input.contactId }, data: { tier } });
      tierChange = { from: contact.tier as Tier, to: tier };
      await recordInteraction(tx, input.contactId, { direction: "event", kind: "loyalty.tier_changed", actor: "system", text: `${contact.tier} → ${tier}`, data: { from: contact.tier, to: tier, lifetimePoints: contact.lifetimePoints } });
      // The congratulation as stored work in this transaction (issue 13): a crash right after the
      // commit still congratulates, once (the job id goes with the turn it runs), through the outbox.
      await insertJob(tx, { kind: "event", contactId: input.contactId, name: "loyalty.tier_changed", dueAt: now, key: `tier:${entry.id}`,
        data: { tier, from: contact.tier, multiplier: rules.tiers[tier].multiplier } });
    }
    await recordInteraction(tx, input.contactId, {
      direction: "event", kind: `points.${input.kind}`, actor: "system", text: input.reason,
      data: { entryId: entry.id, points: floor, balance: contact.points, source: input.source, key: input.key, ...(floor !== input.points ? { requested: input.points } : {}), ...input.details },
    });
    return { entry: toEntry(entry), balance: contact.points, tier, duplicate: false, tierChange };
  }

  /**
   * Under the contact's row lock: a reversal takes back at most what the contact still has (points
   * already spent stay spent); an expiry takes what is left of its batch at this moment.
   */
  private async takeable(tx: Database["prisma"], input: PostInput, now: Date): Promise<number> {
    const locked = await tx.contact.updateMany({ where: { id: input.contactId }, data: { updatedAt: now } });
    if (locked.count === 0) throw new ContactNotFoundError(input.contactId);
    if (input.points > 0) return input.points; // reversing a redeem gives points back
    const contact = await tx.contact.findUniqueOrThrow({ where: { id: input.contactId }, select: { points: true } });
    let wanted = -input.points;
    if (input.kind === "expire" && input.reversesId) {
      wanted = (await tx.ledgerEntry.findUnique({ where: { id: input.reversesId }, select: { remaining: true } }))?.remaining ?? 0;
    }
    return -Math.min(wanted, contact.points);
  }

  /** Takes `points` from the contact's batches: the reversed batch first, then the oldest. */
  private async spend(tx: Database["prisma"], contactId: string, points: number, firstBatch?: string): Promise<void> {
    const batches = await tx.ledgerEntry.findMany({ where: { contactId, remaining: { gt: 0 } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true, remaining: true } });
    batches.sort((a, b) => Number(b.id === firstBatch) - Number(a.id === firstBatch));
    let left = points;
    for (const b of batches) {
      if (left <= 0) break;
      const take = Math.min(b.remaining, left);
      await tx.ledgerEntry.update({ where: { id: b.id }, data: { remaining: { decrement: take } } });
      left -= take;
    }
  }

  private async repeat(input: PostInput): Promise<Posted> {
    const entry = await this.db.prisma.ledgerEntry.findUniqueOrThrow({ where: { idempotencyKey: input.key } });
    const contact = await this.db.prisma.contact.findUniqueOrThrow({ where: { id: entry.contactId }, select: { points: true, tier: true } });
    return { entry: toEntry(entry), balance: contact.points, tier: contact.tier as Tier, duplicate: true };
  }
}

function toEntry(e: { id: string; kind: string; points: number; reason: string; source: string; idempotencyKey: string; createdAt: Date }): Entry {
  return { id: e.id, kind: e.kind, points: e.points, reason: e.reason, source: e.source, key: e.idempotencyKey, createdAt: e.createdAt };
}
