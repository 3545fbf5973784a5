import { webApi } from "@slack/bolt";
import type { Logger } from "../../core/log";
import type { StaffRemoval, StaffRedactor } from "../../privacy/StaffRedactor";
import type { StaffRef } from "../../support/StaffDesk";
import { boltLogger } from "./boltLogger";
import { slackErrorCode } from "./errors";

/** What a message the bot could not delete is replaced with. Staff read it; staff-facing text is English. */
export const REDACTED_TEXT = "(removed: this customer's data was erased)";

/** What the redactor needs: the bot token and, in tests, another Web API address and quick retries. */
export interface SlackRedactorOptions {
  token: string;
  apiUrl?: string;
  log: Logger;
  retryConfig?: webApi.RetryOptions;
}

/**
 * Removes a ticket's card and the bot's messages in its thread from Slack when a customer is erased
 * (issue 16), with the Web API only (no Bolt app), so the CLI can do it as well as the running server.
 * The thread is read back (conversations.replies) so messages the database never recorded (a long
 * question's full text) go too. chat.delete first; where Slack refuses it, chat.update replaces the
 * text. Staff members' own replies cannot be removed with a bot token: they are listed, as is any
 * call that failed, for someone to remove by hand.
 */
export class SlackRedactor implements StaffRedactor {
  readonly name = "slack";
  private readonly client: webApi.WebClient;
  private me: Promise<{ userId?: string; botId?: string }> | undefined;

  constructor(options: SlackRedactorOptions) {
    this.client = new webApi.WebClient(options.token, {
      slackApiUrl: options.apiUrl, logger: boltLogger(options.log), rejectRateLimitedCalls: false,
      retryConfig: options.retryConfig ?? { retries: 5, factor: 2, minTimeout: 1_000, maxTimeout: 10_000 },
    });
  }

  async removeTicket(card: StaffRef, known: StaffRef[]): Promise<StaffRemoval> {
    const me = await this.identity();
    const result: StaffRemoval = { deleted: [], redacted: [], left: [] };
    const ours = new Map<string, StaffRef>(known.map((r) => [r.ts, r]));
    for (const m of await this.thread(card)) {
      if (m.ts === card.ts) continue;
      const ref = { channel: card.channel, ts: m.ts };
      if ((me.botId && m.botId === me.botId) || (me.userId && m.user === me.userId)) ours.set(m.ts, ref);
      else if (!ours.has(m.ts)) result.left.push({ ref, reason: `written by ${m.user ? `<@${m.user}>` : "someone else"}; a bot cannot delete a person's message: delete it in Slack` });
    }
    for (const ref of ours.values()) await this.remove(ref, result);
    await this.remove(card, result);
    return result;
  }

  /** Deletes one message, or blanks it when Slack refuses the delete; records which. */
  private async remove(ref: StaffRef, result: StaffRemoval): Promise<void> {
    try {
      await this.client.chat.delete({ channel: ref.channel, ts: ref.ts });
      result.deleted.push(ref);
      return;
    } catch (error) {
      const code = slackErrorCode(error);
      if (code === "message_not_found") return void result.deleted.push(ref); // gone already
      try {
        await this.client.chat.update({ channel: ref.channel, ts: ref.ts, text: REDACTED_TEXT, blocks: [] });
        result.redacted.push(ref);
      } catch (second) {
        result.left.push({ ref, reason: `chat.delete: ${code ?? (error as Error).message}; chat.update: ${slackErrorCode(second) ?? (second as Error).message}` });
      }
    }
  }

  /** Every message of the card's thread (paged); none when Slack cannot show it (deleted card). */
  private async thread(card: StaffRef): Promise<{ ts: string; user?: string; botId?: string }[]> {
    const out: { ts: string; user?: string; botId?: string }[] = [];
    let cursor: string | undefined;
    do {
      let page: webApi.ConversationsRepliesResponse;
      try {
        page = await this.client.conversations.replies({ channel: card.channel, ts: card.ts, limit: 200, cursor });
      } catch {
        return out; // the known messages are still removed
      }
      for (const m of page.messages ?? []) if (m.ts) out.push({ ts: m.ts, user: m.user, botId: m.bot_id });
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return out;
  }

  private identity(): Promise<{ userId?: string; botId?: string }> {
    this.me ??= this.client.auth.test().then((a) => ({ userId: a.user_id, botId: a.bot_id }), () => ({}));
    return this.me;
  }
}
