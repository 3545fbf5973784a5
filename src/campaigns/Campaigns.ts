import { recordAudit } from "../audit/record";
import { newId } from "../core/ids";
import type { Database } from "../db/Database";
import { isUniqueViolation } from "../db/retry";
import { suggest } from "../flows/suggest";
import { selectAudience } from "./audience";
import type { Campaign } from "./Campaign";
import { judge, rulesFor, type CampaignRules, type DeferReason, type SkipReason } from "./eligibility";
import { CampaignAlreadySentError, CampaignNotFoundError, CampaignStateError } from "./errors";
import { variantFor } from "./render";
import { campaignSource } from "./send";
import { cancelMessages, holdMessages, releaseMessages } from "../outbox/holdMessages";

/** What `campaigns preview` shows: who the audience is now and what would happen to them; nothing is sent. */
export interface CampaignPreview {
  campaign: string;
  audience: number;
  /** Would get the message now. */
  send: number;
  /** Would wait (and go out later): over the frequency cap, or in their quiet hours. */
  deferred: Record<DeferReason, number>;
  /** Would get nothing from this campaign. */
  skipped: Record<SkipReason, number>;
  /** Audience per variant (the stable draw, as sending would make it). */
  variants: Record<string, number>;
}

/** A campaign's stored state (campaigns row). */
export interface CampaignRow {
  id: string;
  name: string;
  status: string;
  ongoing: boolean;
  startAt: Date;
  createdAt: Date;
  finishedAt: Date | null;
}

/** Campaign statuses: scheduled and running ones are worked on by the running bot. */
export type CampaignStatus = "scheduled" | "running" | "paused" | "cancelled" | "done";

/**
 * Campaigns as operators handle them (issue 15): preview an audience, send (the running bot delivers),
 * pause, resume, cancel. A campaign is sent once per name: its row holds the definition as sent, so
 * editing the file later changes nothing under way, and its deliveries are unique per contact.
 */
export class Campaigns {
  constructor(private readonly db: Database, private readonly rules: () => CampaignRules) {}

  /** The audience now, and what would happen to each contact (skip reasons, deferrals, variants). */
  async preview(campaign: Campaign, now = new Date()): Promise<CampaignPreview> {
    const ids = await selectAudience(this.db, campaign.audience, now);
    const verdicts = await judge(this.db, rulesFor(this.rules(), campaign), ids, now);
    const out: CampaignPreview = {
      campaign: campaign.name, audience: ids.length, send: 0,
      deferred: { capped: 0, quiet_hours: 0 }, skipped: { opted_out: 0, no_consent: 0, unreachable: 0 },
      variants: Object.fromEntries(campaign.variants.map((v) => [v.name, 0])),
    };
    // Variants are drawn from the campaign's name, so the preview shows the split sending will make.
    for (const id of ids) {
      const v = verdicts.get(id);
      if (!v || v.kind === "send") out.send++;
      else if (v.kind === "skip") out.skipped[v.reason]++;
      else out.deferred[v.reason]++;
      out.variants[variantFor(campaign.name, id, campaign.variants).name]!++;
    }
    return out;
  }

  /**
   * Hands a campaign to the running bot: a row with its definition, due now or at its time. Refused
   * when one of that name exists (sending twice would message its audience twice). Audited.
   */
  async send(campaign: Campaign, actor: string, now = new Date()): Promise<CampaignRow> {
    const startAt = campaign.when.kind === "at" ? campaign.when.at : now;
    const row = {
      id: newId(), name: campaign.name, status: startAt > now ? "scheduled" : "running",
      definition: JSON.stringify(campaign), hash: campaign.hash, ongoing: campaign.when.kind === "ongoing",
      startAt, actor, createdAt: now, updatedAt: now,
    };
    try {
      await this.db.prisma.$transaction(async (tx) => {
        await tx.campaign.create({ data: row });
        await recordAudit(tx, { actor, action: "campaign.send", target: { type: "campaign", id: row.id }, detail: { name: campaign.name, status: row.status }, at: now });
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.find(campaign.name);
      throw new CampaignAlreadySentError(campaign.name, existing.status);
    }
    return { id: row.id, name: row.name, status: row.status, ongoing: row.ongoing, startAt, createdAt: now, finishedAt: null };
  }

  /** The stored campaign of that name; CampaignNotFoundError (with the closest name) when none was sent. */
  async find(name: string): Promise<CampaignRow> {
    const row = await this.db.prisma.campaign.findUnique({ where: { name }, select: { id: true, name: true, status: true, ongoing: true, startAt: true, createdAt: true, finishedAt: true } });
    if (row) return row;
    const names = (await this.db.prisma.campaign.findMany({ select: { name: true }, orderBy: { name: "asc" } })).map((c) => c.name);
    throw new CampaignNotFoundError(name, names, suggest(name, names));
  }

  /**
   * Pauses (nothing more goes out until resumed: the campaign's messages already in the outbox are
   * held there), resumes (held messages go first, then the runner claims on), or cancels (nothing more
   * goes out: waiting deliveries are marked cancelled, messages in the outbox are cancelled there) a
   * campaign. Only a message already in the channel's hands when the change commits still goes out
   * (at most the dispatcher's campaign sends in flight). A finished or cancelled one cannot change. Audited.
   */
  async change(name: string, action: "pause" | "resume" | "cancel", actor: string, now = new Date()): Promise<CampaignRow> {
    const row = await this.find(name);
    const allowed: Record<typeof action, string[]> = { pause: ["scheduled", "running"], resume: ["paused"], cancel: ["scheduled", "running", "paused"] };
    if (!allowed[action].includes(row.status)) throw new CampaignStateError(name, { pause: "paused", resume: "resumed", cancel: "cancelled" }[action], row.status);
    const status = action === "pause" ? "paused" : action === "cancel" ? "cancelled" : row.startAt > now ? "scheduled" : "running";
    await this.db.prisma.$transaction(async (tx) => {
      const changed = await tx.campaign.updateMany({ where: { id: row.id, status: row.status }, data: { status, updatedAt: now, ...(action === "cancel" ? { finishedAt: now } : {}) } });
      if (changed.count === 0) throw new CampaignStateError(name, action === "pause" ? "paused" : action === "cancel" ? "cancelled" : "resumed", "changing (try again)");
      const source = campaignSource(row.id);
      if (action === "pause") await holdMessages(tx, source);
      else if (action === "resume") await releaseMessages(tx, source, now);
      else {
        await tx.campaignDelivery.updateMany({ where: { campaignId: row.id, status: "pending" }, data: { status: "skipped", reason: "cancelled" } });
        // Their deliveries stay queued until the runner reads the outcome back (skipped, cancelled).
        await cancelMessages(tx, source, `cancelled: campaign ${name} was cancelled by ${actor} before this message went out`, now);
      }
      await recordAudit(tx, { actor, action: `campaign.${action}`, target: { type: "campaign", id: row.id }, detail: { name, from: row.status, to: status }, at: now });
    });
    return { ...row, status, finishedAt: action === "cancel" ? now : row.finishedAt };
  }
}
