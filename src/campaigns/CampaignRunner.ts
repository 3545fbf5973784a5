import type { Logger } from "../core/log";
import { newId } from "../core/ids";
import type { Database } from "../db/Database";
import { isUniqueViolation, withDbRetry } from "../db/retry";
import { anyRow } from "../db/anyRow";
import { sql } from "../db/plan";
import type { Flow } from "../flows/types";
import { selectAudience } from "./audience";
import type { Campaign } from "./Campaign";
import { judge, rulesFor, type CampaignRules } from "./eligibility";
import { outboxOutcomes } from "./outboxOutcomes";
import { settleInterruptedSend } from "./settleInterruptedSend";
import { variantFor } from "./render";
import type { CampaignSendItem, CampaignSender, SendOutcome } from "./send";

/** How the runner paces itself; production defaults, tests and the benchmark shorten them. */
export interface CampaignRunnerOptions {
  /** Deliveries judged per round (default 200). */
  batch?: number;
  /**
   * Campaign messages per second (CAMPAIGN_RATE, default 29; the dispatcher paces the sends, see
   * SendPacer). Here it sizes how far ahead the runner claims: about two seconds of messages waiting
   * in the outbox at most, so a pause or cancel has little to hold back and consent, the cap and
   * quiet hours are judged moments before a message goes.
   */
  ratePerSecond?: number;
  /** Deliveries claimed at once (default 4). */
  concurrency?: number;
  /** An ongoing campaign reads its audience again after this long (default 10 minutes). */
  reselectMs?: number;
  /** A contact busy in another conversation (a flow/event campaign) is tried again after this long (default 5 minutes). */
  busyRetryMs?: number;
  /** A flow/event start claimed this long ago without an outcome was cut short by a crash and is handed over again (default 60 s). */
  interruptedMs?: number;
}

/** What the runner needs from the app; small so tests can drive it. */
export interface CampaignRunnerDeps {
  db: Database;
  rules: () => CampaignRules;
  sender: CampaignSender;
  log: Logger;
  /** The flows served now (buttons resolve to their commands). */
  flows: () => readonly Flow[];
}

/** Ids per statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;
/** A cancelled campaign's last messages may still be in the channel's hands (or retrying) this long; their outcome is read back meanwhile. */
const SETTLE_CANCELLED_MS = 86_400_000;
/** How long the runner waits for the outbox to take what it claimed before leaving the campaign to the next round. */
const STALL_MS = 10_000;

/**
 * Delivers sent campaigns in the running bot (issue 15). Each round: scheduled campaigns whose time
 * has come start; a campaign's audience is read once into one delivery row per contact (ongoing ones
 * read it again now and then, adding only newcomers: once per contact, ever); due deliveries are
 * judged (consent, reachability, frequency cap, quiet hours) and skipped, deferred or handed to the
 * sender, which claims each and writes its message to the outbox in one transaction. The runner stays
 * about two seconds of messages ahead of the dispatcher, which sends them paced under the channel's
 * limit and behind every conversation reply; what the outbox made of each message (sent, failed with
 * its reason, blocked, cancelled) is read back into the delivery rows. A paused or cancelled
 * campaign stops claiming at once; its messages already in the outbox are held or cancelled there
 * (Campaigns.change). No contact is messaged twice by one campaign, across instances and kill -9
 * (beyond the outbox's one message per customer per crash).
 */
export class CampaignRunner {
  private readonly batch: number;
  private readonly window: number;
  private readonly concurrency: number;
  private readonly reselectMs: number;
  private readonly busyRetryMs: number;
  private readonly interruptedMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: CampaignRunnerDeps, options: CampaignRunnerOptions = {}) {
    this.batch = options.batch ?? 200;
    this.concurrency = options.concurrency ?? 4;
    this.window = Math.max(2 * this.concurrency, Math.ceil(2 * (options.ratePerSecond ?? 29)));
    this.reselectMs = options.reselectMs ?? 600_000;
    this.busyRetryMs = options.busyRetryMs ?? 300_000;
    this.interruptedMs = options.interruptedMs ?? 60_000;
  }

  /** Runs a round every `intervalMs` until stopped; a round still going delays the next one. */
  start(intervalMs = 2000): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.round().then(() => undefined, (error: unknown) => this.deps.log.error("campaign round failed", { error: error as Error }));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), intervalMs);
    };
    void loop();
  }

  /** Stops after the claims in flight (a graceful stop loses nothing: the rest stays pending, or in the outbox). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One round over every campaign due now; returns how many messages were handed out (queued in the
   * outbox, or flows started). Outcomes are read back first, also for paused and recently cancelled
   * campaigns; a campaign is done when nobody is left waiting and the outbox has settled every message.
   */
  async round(now = new Date()): Promise<number> {
    const db = this.deps.db;
    const started = Date.now();
    // Plain statements up to here: every process runs a round every few seconds, most with no campaign (see anyRow).
    await withDbRetry(() => db.query(sql("UPDATE campaigns SET status = 'running', updated_at = ? WHERE status = 'scheduled' AND start_at <= ?", now, now)));
    const settleSince = new Date(now.getTime() - SETTLE_CANCELLED_MS);
    if (!(await anyRow(db, "SELECT id FROM campaigns WHERE status IN ('running', 'paused') OR (status = 'cancelled' AND finished_at >= ?)", settleSince))) return 0;
    const campaigns = await db.prisma.campaign.findMany({
      where: { OR: [{ status: { in: ["running", "paused"] } }, { status: "cancelled", finishedAt: { gte: settleSince } }] },
      orderBy: { createdAt: "asc" },
    });
    let sent = 0;
    for (const row of campaigns) {
      if (this.stopped) break;
      const campaign = reviveCampaign(row.definition);
      if (row.status !== "running") {
        await this.settle(row.id, campaign);
        continue;
      }
      if (!row.selectedAt || (row.ongoing && now.getTime() - row.selectedAt.getTime() >= this.reselectMs)) await this.select(row.id, campaign, now);
      // A long round judges with the time as it moves on (quiet hours may begin while it sends).
      sent += await this.deliverDue(row.id, campaign, () => new Date(now.getTime() + Date.now() - started));
      if (!row.ongoing && !this.stopped) {
        const left = await db.prisma.campaignDelivery.count({ where: { campaignId: row.id, status: { in: ["pending", "queued"] } } });
        if (left === 0) await db.prisma.campaign.updateMany({ where: { id: row.id, status: "running" }, data: { status: "done", finishedAt: new Date(), updatedAt: new Date() } });
      }
    }
    return sent;
  }

  /** Adds a delivery row for each audience member without one (variant drawn, due now). */
  private async select(campaignId: string, campaign: Campaign, now: Date): Promise<void> {
    const db = this.deps.db;
    const ids = await selectAudience(db, campaign.audience, now);
    const have = new Set((await db.prisma.campaignDelivery.findMany({ where: { campaignId }, select: { contactId: true } })).map((d) => d.contactId));
    const fresh = ids.filter((id) => !have.has(id));
    for (let i = 0; i < fresh.length; i += CHUNK) {
      const rows = fresh.slice(i, i + CHUNK).map((contactId) => {
        const variant = variantFor(campaign.name, contactId, campaign.variants).name;
        return { id: newId(), campaignId, contactId, variant, status: "pending", dueAt: now, key: `campaign:${campaignId}:${contactId}:${variant}`, createdAt: now };
      });
      try {
        await db.prisma.campaignDelivery.createMany({ data: rows });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Another instance selected at the same moment: add the rows it did not, one by one.
        for (const r of rows) await db.prisma.campaignDelivery.create({ data: r }).catch((e: unknown) => { if (!isUniqueViolation(e)) throw e; });
      }
    }
    await db.prisma.campaign.update({ where: { id: campaignId }, data: { selectedAt: now } });
  }

  /**
   * Judges due deliveries batch by batch and hands the sendable ones to the sender, staying at most
   * `window` messages ahead of what the outbox has settled (sent, failed). When the outbox does not
   * catch up (the channel runs in another process, or is failing), the campaign is left to the next
   * round. Ends once the messages it queued were tried here.
   */
  private async deliverDue(campaignId: string, campaign: Campaign, clock: () => Date): Promise<number> {
    try {
      return await this.claimDue(campaignId, campaign, clock);
    } finally {
      // What this round queued has been tried before it ends, and its outcome read back.
      await this.deps.sender.idle();
      await this.settle(campaignId, campaign);
    }
  }

  private async claimDue(campaignId: string, campaign: Campaign, clock: () => Date): Promise<number> {
    const db = this.deps.db;
    let sent = 0;
    let waitingSince: number | undefined;
    for (;;) {
      if (this.stopped) return sent;
      const status = await db.prisma.campaign.findUnique({ where: { id: campaignId }, select: { status: true } });
      if (status?.status !== "running") return sent; // paused or cancelled meanwhile
      const waiting = await this.settle(campaignId, campaign);
      const room = this.window - waiting;
      // Claimed in batches of half the window at least: fewer, larger rounds of judging.
      if (waiting > 0 && room < this.window / 2) {
        waitingSince ??= Date.now();
        if (Date.now() - waitingSince > STALL_MS) return sent;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      waitingSince = undefined;
      const now = clock();
      const take = Math.min(this.batch, room);
      const due = await db.prisma.campaignDelivery.findMany({
        where: { campaignId, status: "pending", dueAt: { lte: now } },
        select: { id: true, contactId: true, variant: true, key: true, bonusPoints: true },
        orderBy: { dueAt: "asc" }, take,
      });
      if (due.length === 0) return sent;
      const verdicts = await judge(db, rulesFor(this.deps.rules(), campaign), due.map((d) => d.contactId), now);
      const sendable: typeof due = [];
      for (const d of due) {
        const v = verdicts.get(d.contactId) ?? { kind: "skip", reason: "unreachable" as const };
        if (v.kind === "send") sendable.push(d);
        else if (v.kind === "skip") await db.prisma.campaignDelivery.updateMany({ where: { id: d.id, status: "pending" }, data: { status: "skipped", reason: v.reason } });
        else await db.prisma.campaignDelivery.updateMany({ where: { id: d.id, status: "pending" }, data: { dueAt: v.until, reason: v.reason } });
      }
      sent += await this.pool(sendable, async (d) => {
        if (this.stopped) return false;
        const outcome = await this.deps.sender.send(this.item(campaignId, campaign, d), this.deps.flows());
        await this.afterHandOver(d.id, outcome);
        return outcome === "queued" || outcome === "sent";
      });
      if (due.length < take && sendable.length === 0) return sent;
    }
  }

  /**
   * Reads back what the outbox made of the campaign's claimed messages (sent, failed with its reason,
   * blocked: the contact is marked unreachable, cancelled) into their delivery rows, and hands over
   * again flow starts a crash cut short. Returns how many claimed messages still wait for an outcome.
   */
  private async settle(campaignId: string, campaign: Campaign): Promise<number> {
    const db = this.deps.db;
    const queued = await db.prisma.campaignDelivery.findMany({ where: { campaignId, status: "queued" }, select: { id: true, contactId: true, variant: true, key: true, bonusPoints: true, queuedAt: true } });
    if (queued.length === 0) return 0;
    const outcomes = await outboxOutcomes(db, queued.map((d) => d.key));
    let waiting = 0;
    for (const d of queued) {
      const o = outcomes.get(d.key);
      const where = { id: d.id, status: "queued" };
      if (!o) {
        // A flow/event start has no outbox row of its own: its hand-over is in flight, or a crash cut it short.
        if (Date.now() - (d.queuedAt?.getTime() ?? 0) < this.interruptedMs) { waiting++; continue; }
        const item = this.item(campaignId, campaign, d);
        if (item.variant.start) await this.afterHandOver(d.id, await this.deps.sender.resume(item));
        // A message claimed by a version that sent it outside the outbox, then killed: it may have gone out; not sent again.
        else await db.prisma.campaignDelivery.updateMany({ where, data: { status: "failed", lastError: "interrupted: the process stopped before the channel answered; not sent again" } });
        continue;
      }
      if (o.status === "sent") await db.prisma.campaignDelivery.updateMany({ where, data: { status: "sent", sentAt: o.sentAt ?? new Date() } });
      else if (o.status === "failed") await db.prisma.campaignDelivery.updateMany({ where, data: { status: o.unreachable ? "blocked" : "failed", lastError: o.lastError?.slice(0, 500) ?? null } });
      // Cancelled before it went out: it does not count against the frequency cap.
      else if (o.status === "cancelled") await db.prisma.campaignDelivery.updateMany({ where, data: { status: "skipped", reason: "cancelled", queuedAt: null } });
      else if (o.status === "sending" && (o.leaseUntil?.getTime() ?? 0) < Date.now()) await settleInterruptedSend(db, d.id, d.contactId, o);
      else waiting++; // pending (due, retrying), being sent, or held by a pause
    }
    return waiting;
  }

  /** A contact busy in another conversation gets the flow start later. */
  private async afterHandOver(deliveryId: string, outcome: SendOutcome): Promise<void> {
    if (outcome !== "busy") return;
    await this.deps.db.prisma.campaignDelivery.updateMany({ where: { id: deliveryId }, data: { status: "pending", queuedAt: null, dueAt: new Date(Date.now() + this.busyRetryMs), reason: "busy" } });
  }

  private item(campaignId: string, campaign: Campaign, d: { id: string; contactId: string; variant: string; key: string; bonusPoints: number }): CampaignSendItem {
    const variant = campaign.variants.find((v) => v.name === d.variant) ?? campaign.variants[0]!;
    return { campaignId, campaign, variant, deliveryId: d.id, contactId: d.contactId, key: d.key, bonusPaid: d.bonusPoints > 0 };
  }

  /** Runs `fn` over items with at most `concurrency` at once; counts the true results. */
  private async pool<T>(items: T[], fn: (item: T) => Promise<boolean>): Promise<number> {
    let next = 0;
    let count = 0;
    let failedOnce = false;
    const worker = async () => {
      while (next < items.length && !failedOnce) {
        const item = items[next++]!;
        try {
          if (await fn(item)) count++;
        } catch (error) {
          failedOnce = true;
          throw error;
        }
      }
    };
    // Every worker ends before the round does, also when one fails: none goes on claiming behind it.
    const ended = await Promise.allSettled(Array.from({ length: Math.min(this.concurrency, items.length) }, worker));
    const failed = ended.find((e) => e.status === "rejected");
    if (failed) throw failed.reason;
    return count;
  }
}

/** A campaign as stored in its row (JSON), with its time revived. */
export function reviveCampaign(definition: string): Campaign {
  const c = JSON.parse(definition) as Campaign;
  if (c.when.kind === "at") c.when = { kind: "at", at: new Date(c.when.at) };
  return c;
}
