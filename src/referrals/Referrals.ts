import { isUniqueViolation, withDbRetry } from "../db/retry";
import { lockContact, type Tx } from "../db/lockContact";
import { randomInt } from "node:crypto";
import { newId } from "../core/ids";
import type { Logger } from "../core/log";
import { ServiceKey } from "../core/services";
import type { Database } from "../db/Database";
import { anyRow } from "../db/anyRow";
import { recordInteraction } from "../history/recordInteraction";
import { recordAudit } from "../audit/record";
import { LEDGER_TX, type Ledger } from "../loyalty/Ledger";
import type { PurchaseHooks } from "../loyalty/Purchases";
import type { LoyaltyRules } from "../loyalty/rules";

/** Why an attribution was refused; recorded on the friend's history. */
export type RejectReason = "unknown_code" | "self_referral" | "cycle" | "existing_contact" | "already_attributed";

/** The outcome of a friend arriving through a link. */
export type Attribution = { status: "joined" | "held"; referralId: string; referrerId: string } | { status: "rejected"; reason: RejectReason };

/** What `/refer` shows. */
export interface ReferralStats {
  joined: number;
  pending: number;
  earned: number;
}

/** Service key for referrals. */
export const REFERRALS = new ServiceKey<Referrals>("referrals");

/** Unambiguous when read aloud or typed (no 0/O, 1/I). */
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const PERIOD_DAYS = { day: 1, week: 7, month: 30, year: 365 } as const;

/**
 * Referrals: personal codes and links, first-touch attribution of new contacts, and the referrer's
 * reward: pending for the hold period, then confirmed and paid through the ledger (key
 * `referral:<id>:referrer`, so a re-run pays once). Abuse (a burst of sign-ups on one code, a
 * friend who never writes again, a refunded qualifying purchase) holds or reverses the reward.
 */
export class Referrals {
  private botUsername: string | undefined;

  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly rules: () => LoyaltyRules,
    private readonly log: Logger,
  ) {}

  /** Tells referrals the Telegram bot's username, for links (set when the channel starts). */
  setTelegramBot(username: string | undefined): void {
    this.botUsername = username;
  }

  /** The Telegram bot's username once Telegram started (deep links: the web chat's join link too). */
  telegramBot(): string | undefined {
    return this.botUsername;
  }

  /** The contact's code, made on first use (6 characters; retried on the rare collision). */
  async codeFor(contactId: string): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const contact = await this.db.prisma.contact.findUniqueOrThrow({ where: { id: contactId }, select: { referralCode: true } });
      if (contact.referralCode) return contact.referralCode;
      const code = Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
      try {
        await this.db.prisma.contact.updateMany({ where: { id: contactId, referralCode: null }, data: { referralCode: code } });
      } catch (error) {
        if (!isUniqueViolation(error) || attempt > 5) throw error;
      }
    }
  }

  /** The deep link friends open: https://t.me/<bot>?start=ref-<code> (just the start payload when no bot is known). */
  async linkFor(contactId: string): Promise<{ code: string; link: string }> {
    const code = await this.codeFor(contactId);
    return { code, link: this.botUsername ? `https://t.me/${this.botUsername}?start=ref-${code}` : `/start ref-${code}` };
  }

  /**
   * Attributes a friend who arrived with a code. First touch only: a contact that wrote before, or
   * was already attributed, is never (re-)attributed. Self-referral, cycles and unknown codes are
   * refused; every refusal is recorded with its reason on the friend's history.
   */
  async attribute(friendId: string, rawCode: string, now = new Date(), within?: (tx: Tx, attribution: Attribution) => Promise<void>): Promise<Attribution> {
    const code = rawCode.trim().toUpperCase();
    const reject = async (reason: RejectReason): Promise<Attribution> => {
      await recordInteraction(this.db.prisma, friendId, { direction: "event", kind: "referral.rejected", actor: "system", text: reason, data: { code, reason } });
      return { status: "rejected", reason };
    };
    if (await this.db.prisma.referral.findUnique({ where: { friendId } })) return reject("already_attributed");
    const referrer = await this.db.prisma.contact.findUnique({ where: { referralCode: code }, select: { id: true } });
    if (!referrer) return reject("unknown_code");
    if (referrer.id === friendId) return reject("self_referral");
    if (await this.chainContains(referrer.id, friendId)) return reject("cycle");
    const inbound = await this.db.prisma.interaction.count({ where: { contactId: friendId, direction: "in" } });
    if (inbound > 1) return reject("existing_contact");
    const rules = this.rules().referral;
    const since = new Date(now.getTime() - rules.abuse.burst_minutes * 60_000);
    const id = newId();
    let burst = false;
    try {
      await withDbRetry(() => this.db.prisma.$transaction(async (tx) => {
        // Counted under the referrer's lock: sign-ups on one code arriving together take turns, so
        // the burst limit holds (issue #13: 8 at once all joined past a limit of 2).
        await lockContact(tx, this.db.dialect, referrer.id);
        burst = (await tx.referral.count({ where: { code, createdAt: { gte: since } } })) >= rules.abuse.burst_signups;
        await tx.referral.create({ data: { id, referrerId: referrer.id, friendId, code, status: burst ? "held" : "joined", reason: burst ? "burst" : null, createdAt: now, updatedAt: now } });
        await recordInteraction(tx, friendId, { direction: "event", kind: "referral.joined", actor: "system", data: { referralId: id, referrerId: referrer.id, code } });
        await recordInteraction(tx, referrer.id, { direction: "event", kind: "referral.friend_joined", actor: "system", data: { referralId: id, friendId, held: burst } });
        await within?.(tx as never, { status: burst ? "held" : "joined", referralId: id, referrerId: referrer.id });
      }, LEDGER_TX));
    } catch (error) {
      if (isUniqueViolation(error)) return reject("already_attributed"); // a concurrent attribution won
      throw error;
    }
    if (rules.friend_bonus > 0) await this.ledger.earn(friendId, rules.friend_bonus, { reason: "joined through a friend", source: "referral_join", key: `referral:${id}:friend` });
    if (burst) this.log.warn("referral held for review: burst of sign-ups on one code", { referralId: id, code });
    else if (rules.qualifies_on === "join") await this.qualify(id, undefined, now);
    return { status: burst ? "held" : "joined", referralId: id, referrerId: referrer.id };
  }

  /** The friend met the rule (joined, or made a first purchase): the reward becomes pending, unless the referrer's cap is reached. */
  async qualify(referralId: string, purchaseId: string | undefined, now = new Date()): Promise<void> {
    const r = await this.db.prisma.referral.findUniqueOrThrow({ where: { id: referralId } });
    if (r.status !== "joined") return;
    const rules = this.rules().referral;
    const since = new Date(now.getTime() - PERIOD_DAYS[rules.cap.per] * 86_400_000);
    await withDbRetry(() => this.db.prisma.$transaction(async (tx) => {
      // Count and move under the referrer's lock, so friends qualifying together cannot all fit under the cap.
      await lockContact(tx, this.db.dialect, r.referrerId);
      const rewarded = await tx.referral.count({ where: { referrerId: r.referrerId, status: { in: ["pending", "confirmed", "held"] }, qualifiedAt: { gte: since } } });
      const capped = rewarded >= rules.cap.rewards;
      const moved = await tx.referral.updateMany({
        where: { id: r.id, status: "joined" },
        data: capped
          ? { status: "capped", reason: `cap of ${rules.cap.rewards} per ${rules.cap.per}`, qualifiedAt: now, purchaseId: purchaseId ?? null, updatedAt: now }
          : { status: "pending", qualifiedAt: now, holdUntil: new Date(now.getTime() + rules.hold_days * 86_400_000), purchaseId: purchaseId ?? null, updatedAt: now },
      });
      if (moved.count > 0) await recordInteraction(tx, r.referrerId, { direction: "event", kind: capped ? "referral.capped" : "referral.pending", actor: "system", data: { referralId: r.id } });
    }, LEDGER_TX));
  }

  /**
   * Confirms rewards whose hold has passed (run by the sweeper): pays the referrer, or holds the
   * referral for review when the friend never wrote again. Returns how many were confirmed.
   */
  async confirmDue(now = new Date()): Promise<number> {
    if (!(await anyRow(this.db, "SELECT id FROM referrals WHERE status = 'pending' AND hold_until <= ?", now))) return 0; // every minute: see anyRow
    const due = await this.db.prisma.referral.findMany({ where: { status: "pending", holdUntil: { lte: now } }, take: 500 });
    let confirmed = 0;
    for (const r of due) {
      if (this.rules().referral.abuse.require_friend_activity) {
        const wrote = await this.db.prisma.interaction.count({ where: { contactId: r.friendId, direction: "in" } });
        if (wrote <= 1) {
          await this.hold(r.id, "inactive_friend", now);
          continue;
        }
      }
      if (await this.pay(r.id, now)) confirmed++;
    }
    return confirmed;
  }

  /** A reviewer's decision on a held referral: approve pays it; reject refuses it (and takes back a paid reward). */
  async review(referralId: string, approve: boolean, reviewer: string, now = new Date()): Promise<string> {
    const r = await this.db.prisma.referral.findUniqueOrThrow({ where: { id: referralId } });
    if (approve && r.status === "held" && !r.qualifiedAt) {
      // Held before it qualified (a burst at sign-up): back to the normal path, qualifying by the rule.
      await this.db.prisma.referral.update({ where: { id: r.id }, data: { status: "joined", reason: `approved by ${reviewer}`, updatedAt: now } });
      if (this.rules().referral.qualifies_on === "join") await this.qualify(r.id, undefined, now);
    } else if (approve) {
      if (r.status === "held" || r.status === "pending") await this.pay(r.id, now, reviewer);
    } else await this.reverse(r.id, `rejected by ${reviewer}`, now);
    const status = (await this.db.prisma.referral.findUniqueOrThrow({ where: { id: referralId } })).status;
    // After the decision, in its own write: approve and reject take several paths (pay, requalify,
    // reverse), each with its own transaction; the row records the outcome they reached.
    await recordAudit(this.db.prisma, { actor: reviewer.includes(":") ? reviewer : `operator:${reviewer}`, action: "referral.review",
      target: { type: "referral", id: referralId }, detail: { decision: approve ? "approve" : "reject", from: r.status, status } });
    return status;
  }

  /** Joined, pending and earned, for `/refer`. */
  async stats(referrerId: string): Promise<ReferralStats> {
    const rows = await this.db.prisma.referral.findMany({ where: { referrerId }, select: { status: true, rewardPoints: true } });
    return {
      joined: rows.length,
      pending: rows.filter((r) => r.status === "pending" || r.status === "held").length, // qualified, not yet paid
      earned: rows.reduce((sum, r) => sum + (r.status === "confirmed" ? r.rewardPoints : 0), 0),
    };
  }

  /** Hooks for the purchase book: a first purchase qualifies; a refund of the qualifying purchase reverses. */
  purchaseHooks(): PurchaseHooks {
    return {
      afterPurchase: async (contactId, purchaseId) => {
        if (this.rules().referral.qualifies_on !== "first_purchase") return;
        const r = await this.db.prisma.referral.findUnique({ where: { friendId: contactId } });
        // Only the first purchase qualifies: qualify() moves a referral out of "joined" once.
        const first = await this.db.prisma.purchase.findFirst({ where: { contactId }, orderBy: [{ occurredAt: "asc" }, { createdAt: "asc" }, { id: "asc" }], select: { id: true } }); // ids sort by creation: a batch stores orders in one millisecond
        if (r && first?.id === purchaseId) await this.qualify(r.id, purchaseId);
      },
      // Only a friend whose referral still waits for a purchase ("joined") can qualify.
      watching: async (contactIds) => {
        if (this.rules().referral.qualifies_on !== "first_purchase" || contactIds.length === 0) return new Set();
        const rows = await this.db.prisma.referral.findMany({ where: { friendId: { in: contactIds }, status: "joined" }, select: { friendId: true } });
        return new Set(rows.map((r) => r.friendId));
      },
      afterRefund: async (contactId, purchaseId, full) => {
        const r = await this.db.prisma.referral.findUnique({ where: { friendId: contactId } });
        if (!r || !full || r.purchaseId !== purchaseId) return;
        // Paid already: take it back. Not paid yet: hold it for a person to look at.
        if (r.status === "confirmed") await this.reverse(r.id, "qualifying purchase refunded", new Date());
        else if (r.status === "pending") await this.hold(r.id, "qualifying_purchase_refunded", new Date());
      },
    };
  }

  /** Claims the referral (still pending or held) and pays the referrer in one transaction: a reject racing it cannot leave a paid, reversed referral. */
  private async pay(referralId: string, now: Date, reviewer?: string): Promise<boolean> {
    const r = await this.db.prisma.referral.findUniqueOrThrow({ where: { id: referralId } });
    const points = this.rules().referral.referrer_bonus;
    const paid = await this.db.prisma.$transaction(async (tx) => {
      const moved = await tx.referral.updateMany({ where: { id: r.id, status: { in: ["pending", "held"] } }, data: { status: "confirmed", rewardPoints: points, reason: reviewer ? `approved by ${reviewer}` : null, updatedAt: now } });
      if (moved.count === 0) return undefined;
      return points > 0 ? await this.ledger.postIn(tx as never, { contactId: r.referrerId, kind: "earn", points, reason: "friend joined", source: "referral", key: `referral:${r.id}:referrer`, details: { referralId: r.id } }) : null;
    }, LEDGER_TX);
    if (paid) this.ledger.announce(r.referrerId, paid);
    return paid !== undefined;
  }

  private async hold(referralId: string, reason: string, now: Date): Promise<void> {
    const r = await this.db.prisma.referral.update({ where: { id: referralId }, data: { status: "held", reason, updatedAt: now } });
    await recordInteraction(this.db.prisma, r.referrerId, { direction: "event", kind: "referral.held", actor: "system", text: reason, data: { referralId } });
    this.log.warn("referral held for review", { referralId, reason });
  }

  private async reverse(referralId: string, reason: string, now: Date): Promise<void> {
    const r = await this.db.prisma.referral.findUniqueOrThrow({ where: { id: referralId } });
    if (r.status === "reversed") return;
    const paid = await this.db.prisma.ledgerEntry.findUnique({ where: { idempotencyKey: `referral:${r.id}:referrer` } });
    if (paid) await this.ledger.reverse(paid.id, { reason: `referral reversed: ${reason}`, source: "review", key: `referral:${r.id}:reversed` });
    await this.db.prisma.referral.update({ where: { id: r.id }, data: { status: "reversed", reason, rewardPoints: 0, updatedAt: now } });
    await recordInteraction(this.db.prisma, r.referrerId, { direction: "event", kind: "referral.reversed", actor: "system", text: reason, data: { referralId } });
  }

  /** True when `target` is among the referrers above `start` (A→B→…→start): attributing would close a cycle. */
  private async chainContains(start: string, target: string): Promise<boolean> {
    let current: string | undefined = start;
    for (let depth = 0; current && depth < 50; depth++) {
      const up: { referrerId: string } | null = await this.db.prisma.referral.findUnique({ where: { friendId: current }, select: { referrerId: true } });
      if (!up) return false;
      if (up.referrerId === target) return true;
      current = up.referrerId;
    }
    return false;
  }
}
