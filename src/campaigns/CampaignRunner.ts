import type { Logger } from "../core/log";
import { newId } from "../core/ids";
import type { Database } from "../db/Database";
import { isUniqueViolation, withDbRetry } from "../db/retry";
import type { Flow } from "../flows/types";
import { selectAudience } from "./audience";
import type { Campaign } from "./Campaign";
import { judge, type CampaignRules } from "./eligibility";
import { variantFor } from "./render";
import type { CampaignSender } from "./send";

/** How the runner paces itself; production defaults, tests and the benchmark shorten them. */
export interface CampaignRunnerOptions {
  /** Deliveries judged per round (default 200). */
  batch?: number;
  /**
   * Campaign messages handed to the channel per second at most (default 28): under Telegram's ~30/s,
   * so the conversations' replies, which share that limit, always find room and stay ahead.
   */
  ratePerSecond?: number;
  /** Campaign messages in flight at once (default 4): how many a reply can find queued ahead of it. */
  concurrency?: number;
  /** An ongoing campaign reads its audience again after this long (default 10 minutes). */
  reselectMs?: number;
  /** A contact busy in another conversation (a flow/event campaign) is tried again after this long (default 5 minutes). */
  busyRetryMs?: number;
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

/**
 * Delivers sent campaigns in the running bot (issue 15). Each round: scheduled campaigns whose time
 * has come start; a campaign's audience is read once into one delivery row per contact (ongoing ones
 * read it again now and then, adding only newcomers: once per contact, ever); due deliveries are
 * judged (consent, reachability, frequency cap, quiet hours) and skipped, deferred or handed to the
 * sender at a pace under the channel's limit. A paused or cancelled campaign stops between two
 * messages. Each delivery is claimed (pending → queued) in the transaction that pays its bonus and
 * writes its history row, so no contact is messaged twice by one campaign, also across instances
 * and restarts.
 */
export class CampaignRunner {
  private readonly batch: number;
  private readonly gapMs: number;
  private readonly concurrency: number;
  private readonly reselectMs: number;
  private readonly busyRetryMs: number;
  private nextSendAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly deps: CampaignRunnerDeps, options: CampaignRunnerOptions = {}) {
    this.batch = options.batch ?? 200;
    this.gapMs = 1000 / (options.ratePerSecond ?? 28);
    this.concurrency = options.concurrency ?? 4;
    this.reselectMs = options.reselectMs ?? 600_000;
    this.busyRetryMs = options.busyRetryMs ?? 300_000;
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

  /** Stops after the message in flight (a graceful stop loses nothing: the rest stays pending). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One round over every campaign due now; returns how many messages were handed out. Deliveries
   * left `queued` without an answer by a process that died are settled first (see settleInterrupted).
   */
  async round(now = new Date()): Promise<number> {
    const db = this.deps.db;
    await withDbRetry(() => db.prisma.campaign.updateMany({ where: { status: "scheduled", startAt: { lte: now } }, data: { status: "running", updatedAt: now } }));
    const campaigns = await db.prisma.campaign.findMany({ where: { status: "running" }, orderBy: { createdAt: "asc" } });
    let sent = 0;
    for (const row of campaigns) {
      if (this.stopped) break;
      const campaign = reviveCampaign(row.definition);
      if (!row.selectedAt || (row.ongoing && now.getTime() - row.selectedAt.getTime() >= this.reselectMs)) await this.select(row.id, campaign, now);
      sent += await this.deliverDue(row.id, campaign, now);
      if (!row.ongoing && !this.stopped) {
        const left = await db.prisma.campaignDelivery.count({ where: { campaignId: row.id, status: "pending" } });
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

  /** Judges due deliveries batch by batch and hands the sendable ones to the sender, paced. */
  private async deliverDue(campaignId: string, campaign: Campaign, now: Date): Promise<number> {
    const db = this.deps.db;
    let sent = 0;
    for (;;) {
      if (this.stopped) return sent;
      const status = await db.prisma.campaign.findUnique({ where: { id: campaignId }, select: { status: true } });
      if (status?.status !== "running") return sent; // paused or cancelled meanwhile
      const due = await db.prisma.campaignDelivery.findMany({
        where: { campaignId, status: "pending", dueAt: { lte: now } },
        select: { id: true, contactId: true, variant: true, key: true, bonusPoints: true },
        orderBy: { dueAt: "asc" }, take: this.batch,
      });
      if (due.length === 0) return sent;
      const verdicts = await judge(db, this.deps.rules(), due.map((d) => d.contactId), now);
      const sendable: typeof due = [];
      for (const d of due) {
        const v = verdicts.get(d.contactId) ?? { kind: "skip", reason: "unreachable" as const };
        if (v.kind === "send") sendable.push(d);
        else if (v.kind === "skip") await db.prisma.campaignDelivery.updateMany({ where: { id: d.id, status: "pending" }, data: { status: "skipped", reason: v.reason } });
        else await db.prisma.campaignDelivery.updateMany({ where: { id: d.id, status: "pending" }, data: { dueAt: v.until, reason: v.reason } });
      }
      sent += await this.pool(sendable, async (d) => {
        if (this.stopped) return false;
        await this.pace();
        const variant = campaign.variants.find((v) => v.name === d.variant) ?? campaign.variants[0]!;
        const outcome = await this.deps.sender.send({ campaignId, campaign, variant, deliveryId: d.id, contactId: d.contactId, key: d.key, bonusPaid: d.bonusPoints > 0 }, this.deps.flows());
        if (outcome === "busy") await db.prisma.campaignDelivery.updateMany({ where: { id: d.id }, data: { status: "pending", queuedAt: null, dueAt: new Date(Date.now() + this.busyRetryMs), reason: "busy" } });
        return outcome === "sent";
      });
      if (due.length < this.batch && sendable.length === 0) return sent;
    }
  }

  /** Waits for the next send slot: messages start at least 1/ratePerSecond apart. */
  private async pace(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextSendAt);
    this.nextSendAt = at + this.gapMs;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }

  /** Runs `fn` over items with at most `concurrency` at once; counts the true results. */
  private async pool<T>(items: T[], fn: (item: T) => Promise<boolean>): Promise<number> {
    let next = 0;
    let count = 0;
    const worker = async () => {
      while (next < items.length) {
        const item = items[next++]!;
        if (await fn(item)) count++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, worker));
    return count;
  }
}

/** A campaign as stored in its row (JSON), with its time revived. */
export function reviveCampaign(definition: string): Campaign {
  const c = JSON.parse(definition) as Campaign;
  if (c.when.kind === "at") c.when = { kind: "at", at: new Date(c.when.at) };
  return c;
}
