import type { Logger } from "../core/log";
import type { OutboundMessage } from "../core/message";
import type { Database } from "../db/Database";
import type { Engine } from "../engine/Engine";
import { loadContactPlan } from "../engine/turnPlans";
import type { Flow } from "../flows/types";
import { recordInteraction } from "../history/recordInteraction";
import type { Translator } from "../i18n/Translator";
import type { Ledger, Posted } from "../loyalty/Ledger";
import type { Campaign, CampaignVariant } from "./Campaign";
import { renderMessage } from "./render";

/** One contact's campaign message, about to go out. */
export interface CampaignSendItem {
  campaignId: string;
  campaign: Campaign;
  variant: CampaignVariant;
  deliveryId: string;
  contactId: string;
  /** campaign:<id>:<contact>:<variant>: the outbound message's key. */
  key: string;
  /** The bonus was paid on an earlier try (a flow campaign retried after "busy"): not again. */
  bonusPaid: boolean;
}

/** What became of it: handed over, refused for good (blocked), failed, or the contact was busy. */
export type SendOutcome = "sent" | "failed" | "blocked" | "busy" | "claimed_elsewhere";

/** The send step of the campaign runner: one small seam, so the outbound path can change under it. */
export interface CampaignSender {
  send(item: CampaignSendItem, flows: readonly Flow[]): Promise<SendOutcome>;
}

/**
 * Sends campaign messages through the engine (the channel's own throttling applies). Each delivery is
 * claimed (pending → queued) in one transaction with its bonus (through the ledger, once per contact
 * and campaign) and its history row; only then is it handed to the channel, and the answer recorded
 * (sent, blocked: a 403, the contact is marked unreachable by the engine, or failed). A process killed
 * between the claim and the answer leaves the delivery `queued`: settleInterrupted marks it failed at
 * the next start rather than sending it again, so nobody is messaged twice.
 *
 * TODO(issue 15 / outbox): when the durable outbox lands, `handOver` becomes enqueueMessage(tx, …,
 * priority "campaign", key) inside the claim transaction, and the outbox's dispatcher reports the result.
 */
export class DirectCampaignSender implements CampaignSender {
  constructor(
    private readonly db: Database,
    private readonly engine: Pick<Engine, "sendTo" | "emit" | "startCampaignFlow">,
    private readonly translator: () => Translator,
    private readonly ledger: Ledger | undefined,
    private readonly log: Logger,
  ) {}

  async send(item: CampaignSendItem, flows: readonly Flow[]): Promise<SendOutcome> {
    const loaded = await this.db.run(loadContactPlan(item.contactId));
    if (!loaded) return "failed";
    const message = renderMessage(this.translator(), item.campaign, item.variant, loaded.contact, flows);
    const bonus = item.campaign.bonus && !item.bonusPaid ? item.campaign.bonus : undefined;
    const now = new Date();
    let posted: Posted | undefined;
    const claimed = await this.db.prisma.$transaction(async (tx) => {
      const won = await tx.campaignDelivery.updateMany({ where: { id: item.deliveryId, status: "pending" }, data: { status: "queued", queuedAt: now, reason: null } });
      if (won.count === 0) return false;
      if (bonus && this.ledger) {
        posted = await this.ledger.postIn(tx as never, {
          contactId: item.contactId, kind: "earn", points: bonus.points, reason: bonus.reason ?? `campaign ${item.campaign.name}`, source: "campaign",
          key: `campaign:${item.campaignId}:${item.contactId}:bonus`, details: { campaign: item.campaign.name },
        });
        await tx.campaignDelivery.update({ where: { id: item.deliveryId }, data: { bonusPoints: bonus.points } });
      }
      const data = { campaign: item.campaign.name, variant: item.variant.name, key: item.key };
      if (message) await recordInteraction(tx, item.contactId, { direction: "out", kind: "campaign", actor: "bot", text: message.text, data: message.choices ? { ...data, choices: message.choices } : data, occurredAt: now });
      else await recordInteraction(tx, item.contactId, { direction: "event", kind: "campaign.start", actor: "system", data: { ...data, start: item.variant.start }, occurredAt: now });
      return true;
    });
    if (!claimed) return "claimed_elsewhere";
    this.ledger?.announce(item.contactId, posted);
    const outcome = await this.handOver(item, message);
    const at = new Date();
    if (outcome.result === "sent") await this.db.prisma.campaignDelivery.update({ where: { id: item.deliveryId }, data: { status: "sent", sentAt: at } });
    else if (outcome.result !== "busy") await this.db.prisma.campaignDelivery.update({ where: { id: item.deliveryId }, data: { status: outcome.result, lastError: outcome.error?.slice(0, 500) ?? null } });
    return outcome.result;
  }

  /** Hands the message (or the flow/event start) to the engine, which sends through the channel. */
  private async handOver(item: CampaignSendItem, message: OutboundMessage | undefined): Promise<{ result: "sent" | "failed" | "blocked" | "busy"; error?: string }> {
    try {
      if (message) {
        const r = await this.engine.sendTo(item.contactId, message);
        return r.ok ? { result: "sent" } : { result: r.unreachable ? "blocked" : "failed", error: r.error.message };
      }
      const start = item.variant.start!;
      const data = { name: item.campaign.name, variant: item.variant.name, bonus: item.campaign.bonus?.points ?? 0 };
      const woke = "flow" in start
        ? await this.engine.startCampaignFlow(item.contactId, start.flow, data, { onceKey: item.key })
        : await this.engine.emit(item.contactId, start.event, { ...start.data, campaign: data }, undefined, { onceKey: item.key });
      if (woke === "busy") return { result: "busy" };
      if (woke === "ignored") return { result: "failed", error: "no flow started (the flow or event has no listener now)" };
      return { result: "sent" };
    } catch (error) {
      this.log.error("campaign send failed", { contactId: item.contactId, campaign: item.campaign.name, error: error as Error });
      return { result: "failed", error: (error as Error).message };
    }
  }
}

/**
 * Deliveries a killed process left claimed but unanswered (`queued`, no result): they may or may not
 * have reached the customer, so they are marked failed ("interrupted") instead of sent again. Only
 * claims older than `olderThanMs` count, so another instance's send in flight is left alone. Run at
 * start and now and then. Returns how many.
 */
export async function settleInterrupted(db: Database, now = new Date(), olderThanMs = 60_000): Promise<number> {
  const { count } = await db.prisma.campaignDelivery.updateMany({ where: { status: "queued", sentAt: null, queuedAt: { lt: new Date(now.getTime() - olderThanMs) } }, data: { status: "failed", lastError: "interrupted: the process stopped before the channel answered; not sent again" } });
  return count;
}
