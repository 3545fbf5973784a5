import type { Logger } from "../core/log";
import type { Database } from "../db/Database";
import { withDbRetry } from "../db/retry";
import type { Engine } from "../engine/Engine";
import { loadContactPlan } from "../engine/turnPlans";
import type { Flow } from "../flows/types";
import { recordInteraction } from "../history/recordInteraction";
import type { Translator } from "../i18n/Translator";
import type { Ledger, Posted } from "../loyalty/Ledger";
import { enqueueMessage, NoAddressError } from "../outbox/enqueueMessage";
import type { Campaign, CampaignVariant } from "./Campaign";
import { renderMessage } from "./render";

/** One contact's campaign message, about to go out. */
export interface CampaignSendItem {
  campaignId: string;
  campaign: Campaign;
  variant: CampaignVariant;
  deliveryId: string;
  contactId: string;
  /** campaign:<id>:<contact>:<variant>: the outbox row's idempotency key, and a flow start's once-key. */
  key: string;
  /** The bonus was paid on an earlier try (a flow campaign retried after "busy"): not again. */
  bonusPaid: boolean;
}

/**
 * What became of it: a message was queued in the outbox (the dispatcher sends it; the runner reads
 * the outcome from there); a flow or event was started, or failed to; the contact was unreachable,
 * busy in another conversation, or someone else claimed the delivery first.
 */
export type SendOutcome = "queued" | "sent" | "failed" | "blocked" | "busy" | "claimed_elsewhere";

/** The send step of the campaign runner: one small seam between choosing recipients and the outbound path. */
export interface CampaignSender {
  send(item: CampaignSendItem, flows: readonly Flow[]): Promise<SendOutcome>;
  /**
   * Hands over again a flow/event start that a crash cut short (claimed, no outcome). At most once
   * in all: the engine stores the delivery's key with the turn it runs.
   */
  resume(item: CampaignSendItem): Promise<SendOutcome>;
  /** Resolves when the messages it queued have been tried by this process's dispatcher (sent, failed, or left for a retry). */
  idle(): Promise<void>;
}

/** The `source` of a campaign's outbox rows: pause, resume and cancel find them by it. */
export function campaignSource(campaignId: string): string {
  return `campaign:${campaignId}`;
}

/**
 * Sends campaign messages through the outbox (issue 15 on issue 13's one way out). One transaction
 * claims the delivery (pending → queued, which also counts it against the frequency cap), pays the
 * bonus (through the ledger, once per contact and campaign), writes the history row and enqueues the
 * message (priority campaign, the delivery's key as idempotency key): all of it or none, so a kill -9
 * at any moment leaves either an untouched delivery (claimed again later) or a stored message the
 * dispatcher sends after the restart. The dispatcher paces campaign messages under the channel's
 * limit, behind every conversation reply; its outcome (sent, failed, blocked) is read back by the
 * runner. A variant that starts a flow or an event instead runs that turn now, keyed by the delivery,
 * so a repeat after a crash finds it done.
 */
export class OutboxCampaignSender implements CampaignSender {
  /** Sends started for messages just queued; the runner claims on meanwhile (its window bounds them). */
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly engine: Pick<Engine, "emit" | "startCampaignFlow" | "outbox">,
    private readonly translator: () => Translator,
    private readonly ledger: Ledger | undefined,
    private readonly log: Logger,
  ) {}

  async send(item: CampaignSendItem, flows: readonly Flow[]): Promise<SendOutcome> {
    const loaded = await withDbRetry(() => this.db.run(loadContactPlan(item.contactId)));
    if (!loaded) return "failed";
    const message = renderMessage(this.translator(), item.campaign, item.variant, loaded.contact, flows);
    const bonus = item.campaign.bonus && !item.bonusPaid ? item.campaign.bonus : undefined;
    let posted: Posted | undefined;
    let claimed: boolean;
    try {
      claimed = await withDbRetry(() => this.db.prisma.$transaction(async (tx) => {
        const now = new Date();
        posted = undefined;
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
        if (message) {
          const interactionId = await recordInteraction(tx, item.contactId, { direction: "out", kind: "campaign", actor: "bot", text: message.text, data: message.choices ? { ...data, choices: message.choices } : data, occurredAt: now });
          await enqueueMessage(tx, { contactId: item.contactId, message, priority: "campaign", interactionId, key: item.key, source: campaignSource(item.campaignId) });
        } else {
          await recordInteraction(tx, item.contactId, { direction: "event", kind: "campaign.start", actor: "system", data: { ...data, start: item.variant.start }, occurredAt: now });
        }
        return true;
      }));
    } catch (error) {
      if (!(error instanceof NoAddressError)) throw error;
      // No channel to reach them on (removed since they were judged): nothing was claimed.
      await this.db.prisma.campaignDelivery.updateMany({ where: { id: item.deliveryId, status: "pending" }, data: { status: "skipped", reason: "unreachable" } });
      return "blocked";
    }
    if (!claimed) return "claimed_elsewhere";
    this.ledger?.announce(item.contactId, posted);
    if (!message) return this.resume(item);
    // Sent right away, paced, when this process runs the channel; otherwise the process that runs it
    // finds the row. Not waited for: the runner claims the next while this one waits for its slot.
    const sending: Promise<void> = this.engine.outbox.drain(item.contactId)
      .then(() => this.engine.outbox.marked(item.contactId))
      .catch((error: unknown) => this.log.warn("campaign message stored; the dispatcher sends it later", { contactId: item.contactId, campaign: item.campaign.name, error: error as Error }))
      .finally(() => this.sending.delete(sending));
    this.sending.add(sending);
    return "queued";
  }

  async idle(): Promise<void> {
    while (this.sending.size > 0) await Promise.all([...this.sending]);
  }

  async resume(item: CampaignSendItem): Promise<SendOutcome> {
    const start = item.variant.start;
    if (!start) return "queued"; // a message: the outbox has it
    const data = { name: item.campaign.name, variant: item.variant.name, bonus: item.campaign.bonus?.points ?? 0 };
    const options = { onceKey: item.key, priority: "campaign" } as const;
    let result: "sent" | "failed" | "busy";
    let error: string | undefined;
    try {
      const woke = "flow" in start
        ? await this.engine.startCampaignFlow(item.contactId, start.flow, data, options)
        : await this.engine.emit(item.contactId, start.event, { campaign: data, ...start.data }, undefined, options); // the sender's own data wins
      // "duplicate": the turn ran before a crash cut the hand-over short; its messages are in the outbox.
      result = woke === "busy" ? "busy" : woke === "ignored" ? "failed" : "sent";
      if (woke === "ignored") error = "no flow started (the flow or event has no listener now)";
    } catch (e) {
      this.log.error("campaign flow start failed", { contactId: item.contactId, campaign: item.campaign.name, error: e as Error });
      result = "failed";
      error = (e as Error).message;
    }
    if (result === "sent") await this.db.prisma.campaignDelivery.updateMany({ where: { id: item.deliveryId, status: "queued" }, data: { status: "sent", sentAt: new Date() } });
    else if (result === "failed") await this.db.prisma.campaignDelivery.updateMany({ where: { id: item.deliveryId, status: "queued" }, data: { status: "failed", lastError: error?.slice(0, 500) ?? null } });
    return result;
  }
}
