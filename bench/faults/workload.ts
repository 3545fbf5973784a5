import type { Update } from "grammy/types";
import type { FakeTelegram } from "../../test/helpers/fakeTelegram";
import type { FakeSlack } from "../../test/helpers/fakeSlack";
import { messageEvent, postToSlackApp } from "../../test/helpers/fakeSlack";

/** What a bot customer types, in a loop: commands, questions and small talk the shipped flows answer. */
const CHAT = ["/start", "/balance", "hello", "what are your delivery times?", "/help", "/rewards", "thanks", "/menu", "how do I return an item?"];

/** Everything the bench sent, to count what became of it. */
export interface Sent {
  /** Update ids handed to Telegram (the fake), per customer chat. */
  updates: Map<number, number>;
  /** Staff replies Rapport acknowledged (HTTP 200 on /slack/events), by text. */
  staffReplies: Map<string, number>;
  /** When each update was handed over, and (webhook) acknowledged with 2xx, for tracing a loss in the log. */
  times: Map<number, { sent: number; acked?: number }>;
}

/** Where the workload sends: the fake Bot API, and Rapport's HTTP port (webhook, Slack events). */
export interface Targets {
  telegram: FakeTelegram;
  slack: FakeSlack;
  mode: "polling" | "webhook";
  port: number;
  slackSecret: string;
  supportChannel: string;
  staffUser: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Customers chatting with the bot over Telegram, some of them with a person through Slack, for as
 * long as `running()` holds. Each sends a message, waits for an answer (at most 5 s: during an
 * outage answers are late, and customers write again anyway), then 1-2 s more. Waiting keeps each
 * chat within Telegram's own limit (about a message a second per chat), which otherwise grows a
 * backlog no fault caused. In polling mode updates wait in the fake Bot API until Rapport confirms
 * them; in webhook mode each customer's updates are posted in order, each until Rapport answers 2xx
 * (Telegram retries a webhook for hours; the bench retries until the end of the scenario).
 */
export class Workload {
  readonly sent: Sent = { updates: new Map(), staffReplies: new Map(), times: new Map() };
  private readonly tasks: Promise<void>[] = [];
  private readonly replies = new Set<Promise<void>>();
  private stopPosting = false;

  constructor(private readonly t: Targets) {}

  /** Starts `customers` chatting (every `handoffEvery`-th one asks for a person) and the staff member answering. */
  start(customers: number, handoffEvery: number, running: () => boolean): void {
    for (let i = 0; i < customers; i++) {
      const chat = 70_001 + i;
      this.tasks.push(this.customer(chat, i % handoffEvery === handoffEvery - 1, running));
    }
    this.tasks.push(this.staff(running));
  }

  /** Waits for the customers to stop and every webhook post to be acknowledged (or `deadline`). */
  async finish(deadline: number): Promise<void> {
    const timer = setTimeout(() => (this.stopPosting = true), Math.max(0, deadline - Date.now()));
    await Promise.all(this.tasks);
    await Promise.all(this.replies);
    clearTimeout(timer);
  }

  private async customer(chat: number, handoff: boolean, running: () => boolean): Promise<void> {
    const queue: Update[] = [];
    let posting: Promise<void> = Promise.resolve();
    const script = handoff ? ["/support", `Q-${chat} my parcel never arrived`] : CHAT;
    for (let n = 0; running(); n++) {
      const text = n < script.length ? script[n]! : handoff ? `M-${chat}-${n}` : CHAT[n % CHAT.length]!;
      const update = this.update(chat, text);
      this.sent.updates.set(update.update_id, chat);
      this.sent.times.set(update.update_id, { sent: Date.now() });
      if (this.t.mode === "polling") await this.t.telegram.push(update);
      else {
        queue.push(update);
        posting = posting.then(() => this.drain(queue));
      }
      await this.answered(chat, 5_000);
      await sleep(1_000 + Math.random() * 1_000);
    }
    await posting;
  }

  /** Waits until the bot sent this chat something new, or `limitMs`. */
  private async answered(chat: number, limitMs: number): Promise<void> {
    const before = this.t.telegram.messagesTo(chat).length;
    const end = Date.now() + limitMs;
    while (Date.now() < end && this.t.telegram.messagesTo(chat).length === before) await sleep(100);
  }

  /** Posts a customer's queued updates in order, each until Rapport answers 2xx. */
  private async drain(queue: Update[]): Promise<void> {
    while (queue.length > 0) {
      const update = queue[0]!;
      for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
        if (this.stopPosting) return;
        const hook = this.t.telegram.webhook;
        const status = hook ? await this.t.telegram.post(update, hook.secret).catch(() => 0) : 0;
        if (status >= 200 && status < 300) {
          this.sent.times.get(update.update_id)!.acked = Date.now();
          break;
        }
        await sleep(wait);
      }
      queue.shift();
    }
  }

  private update(chat: number, text: string): Update {
    const command = /^\/\w+/.exec(text);
    return {
      update_id: this.t.telegram.updateId(),
      message: {
        message_id: this.t.telegram.messageId(), date: Math.floor(Date.now() / 1000),
        chat: { id: chat, type: "private", first_name: `C${chat}` }, from: { id: chat, is_bot: false, first_name: `C${chat}`, language_code: "en" },
        text, ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
      },
    } as Update;
  }

  /**
   * A staff member in Slack: for each ticket card that appears, replies in its thread every 2-4 s
   * (`R-<chat>-<n>`), each reply posted to /slack/events until Rapport acknowledges it with 200, as
   * Slack retries an event that was not acknowledged.
   */
  private async staff(running: () => boolean): Promise<void> {
    const threads = new Map<string, { chat: string; n: number; next: number }>();
    while (running()) {
      for (const c of this.t.slack.calls) {
        if (c.method !== "chat.postMessage" || !c.result?.ok || c.args.thread_ts || c.args.channel !== this.t.supportChannel) continue;
        const ts = c.result.ts as string;
        const chat = /Q-(\d+)/.exec(JSON.stringify(c.args.blocks ?? c.args.text ?? ""))?.[1];
        if (chat && !threads.has(ts)) threads.set(ts, { chat, n: 0, next: Date.now() + 1_000 });
      }
      for (const [ts, th] of threads) {
        if (Date.now() < th.next) continue;
        th.next = Date.now() + 2_000 + Math.random() * 2_000;
        const text = `R-${th.chat}-${++th.n}`;
        const reply = this.staffReply(ts, text).finally(() => this.replies.delete(reply));
        this.replies.add(reply);
      }
      await sleep(250);
    }
  }

  private async staffReply(threadTs: string, text: string): Promise<void> {
    const ts = `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
    const event = messageEvent({ channel: this.t.supportChannel, user: this.t.staffUser, text, ts, threadTs });
    for (let retry = 0, wait = 500; !this.stopPosting; retry++, wait = Math.min(wait * 2, 4_000)) {
      const res = await postToSlackApp(`http://127.0.0.1:${this.t.port}/slack/events`, this.t.slackSecret, { json: event }, retry > 0 ? { retryNum: retry } : {}).catch(() => ({ status: 0 }));
      if (res.status === 200) {
        this.sent.staffReplies.set(text, (this.sent.staffReplies.get(text) ?? 0) + 1);
        return;
      }
      await sleep(wait);
    }
  }
}
