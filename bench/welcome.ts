import { join } from "node:path";
import type { Transformer } from "grammy";
import type { Update } from "grammy/types";
import { createApp } from "../src/app/createApp";
import { TELEGRAM_LIMITS, type TelegramLimits } from "../src/channels/telegram/apiPolicies";
import { TelegramChannel } from "../src/channels/telegram/TelegramChannel";
import { silentLogger } from "../src/core/log";
import type { Dialect } from "../src/db/Database";
import { BenchFailure } from "./BenchFailure";
import { freshDatabase } from "./databases";
import { BENCH_BOT, FakeBotApi } from "./FakeBotApi";
import { ROOT } from "./root";
import { percentile } from "./stats";


/** The per-chat policies compared: Telegram's limits as shipped, and one message a second (before issue 12). */
export const WELCOME_POLICIES: { name: string; limits: TelegramLimits }[] = [
  { name: "burst (shipped)", limits: TELEGRAM_LIMITS },
  { name: "1 msg/s per chat (before)", limits: { ...TELEGRAM_LIMITS, perChatBurst: 1 } },
];

/** One policy's figures on one database. */
export interface WelcomeResult {
  db: Dialect;
  policy: string;
  customers: number;
  messages: number;
  rttMs: number;
  p50Ms: number;
  maxMs: number;
}

/**
 * Issue 12's measure: the time from a `/start` update to the last message of the welcome (the menu,
 * with its keyboard), through the Telegram adapter with real throttling (apiPolicies), on an idle bot.
 * Each customer is a new chat and starts after the previous one got its menu, so no queue is in the
 * way; the fake Bot API answers after `rttMs` (a round trip to Telegram) and notes when each message
 * arrived. Customers play the shipped flows, on a fresh database per policy.
 */
export async function measureWelcome(db: Dialect, options: { customers: number; rttMs: number; pgServer: string }): Promise<WelcomeResult[]> {
  const results: WelcomeResult[] = [];
  for (const policy of WELCOME_POLICIES) {
    const database = await freshDatabase(db, options.pgServer);
    const app = await createApp({ settings: { databaseUrl: database.url, flowsDir: join(ROOT, "flows"), localesDir: join(ROOT, "locales"), hotReload: false }, log: silentLogger });
    const api = new FakeBotApi();
    const menus = new Map<string, (at: number) => void>();
    let sent = 0;
    const transport: Transformer = async (prev, method, payload, signal) => {
      if (options.rttMs > 0) await new Promise((r) => setTimeout(r, options.rttMs));
      const result = await api.transport(prev, method, payload, signal);
      if (method === "sendMessage") {
        sent++;
        const p = payload as { chat_id: number | string; reply_markup?: unknown };
        if (p.reply_markup) menus.get(String(p.chat_id))?.(performance.now());
      }
      return result;
    };
    const channel = new TelegramChannel({
      token: `${BENCH_BOT.id}:BENCH`, log: silentLogger, botInfo: BENCH_BOT, limits: policy.limits, transport,
      webhook: { url: "https://bench.invalid/telegram", secret: "bench" },
    });
    app.engine.attach(channel);
    await channel.start(app.engine.deliver);
    const times: number[] = [];
    try {
      for (let i = 0; i < options.customers; i++) {
        const chat = 7e9 + i;
        const menu = new Promise<number>((resolve) => menus.set(String(chat), resolve));
        const update: Update = {
          update_id: i + 1,
          message: {
            message_id: api.nextMessageId(), date: Math.floor(Date.now() / 1000), text: "/start", entities: [{ type: "bot_command", offset: 0, length: 6 }],
            from: { id: chat, is_bot: false, first_name: "Bench", language_code: "en" }, chat: { id: chat, type: "private", first_name: "Bench" },
          },
        };
        const t0 = performance.now();
        const handled = channel.handleUpdate(update);
        const at = await Promise.race([menu, new Promise<number>((_, reject) => setTimeout(() => reject(new BenchFailure(`no menu for customer ${i + 1} within 10 s`)), 10_000))]);
        await handled;
        times.push(at - t0);
        menus.delete(String(chat));
      }
    } finally {
      await channel.stop();
      await app.close();
      await database.dispose();
    }
    const sorted = [...times].sort((a, b) => a - b);
    results.push({ db, policy: policy.name, customers: options.customers, messages: sent / options.customers, rttMs: options.rttMs, p50Ms: round(percentile(sorted, 50)), maxMs: round(sorted.at(-1)!) });
  }
  return results;
}

/** The figures as a table, one line per database and policy. */
export function welcomeTable(results: WelcomeResult[]): string {
  const head = "database    per-chat policy              messages  p50 ms  max ms  goal ≤ 1000 ms";
  const lines = results.map((r) => `${r.db.padEnd(12)}${r.policy.padEnd(29)}${r.messages.toFixed(0).padStart(8)}${r.p50Ms.toFixed(0).padStart(8)}${r.maxMs.toFixed(0).padStart(8)}  ${r.maxMs <= 1000 ? "✓" : "✗"}`);
  return [head, ...lines].join("\n");
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
