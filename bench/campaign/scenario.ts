import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Update } from "grammy/types";
import { FakeTelegram } from "../../test/helpers/fakeTelegram";
import type { Dialect } from "../../src/db/Database";
import { freshDatabase } from "../databases";
import { RAPPORT_ROOT, RapportProcess } from "../../test/helpers/rapportProcess";
import { percentile } from "../stats";
import { Inbox } from "./Inbox";
import { AUDIENCE_CHAT, seedAudience } from "./seed";

/** One run: a database, and whether the process is killed halfway through the campaign. */
export interface CampaignScenario {
  dialect: Dialect;
  kill: boolean;
}

/** Sizes; `--quick` shrinks them. */
export interface CampaignTiming {
  /** Customers in the campaign's audience. */
  contacts: number;
  /** Other customers chatting with the bot meanwhile (their reply latency is measured). */
  chatters: number;
  /** CAMPAIGN_RATE for the process (messages/s), unset: its default; TELEGRAM_MESSAGES_PER_SECOND stays at its default, 30. */
  ratePerSecond?: number;
}

/** What one run measured. */
export interface CampaignOutcome {
  scenario: CampaignScenario;
  contacts: number;
  /** Audience chats that got the campaign message at least once, and those that never did. */
  reached: number;
  lost: number;
  /** Messages beyond the first per audience chat, the chats that got them, and the most one chat got. */
  duplicates: number;
  duplicatedChats: number;
  maxPerChat: number;
  /** Seconds from the first campaign message to the last; messages/s over that span, and over the middle 80 % (no ramp-up/down; after a kill, without the time it was down). */
  seconds: number;
  rateOverall: number;
  rateSustained: number;
  /** Every message (campaign and replies) per second over that middle 80 %: how much of Telegram's limit was used. */
  rateAllSustained: number;
  /** The most messages (campaign and replies) the fake Bot API received within any one second (sliding), and the seconds of the clock with more than 30. */
  peakPerSecond: number;
  secondsOver30: number;
  /** Reply latency (ms) of the chatters' messages sent while the campaign was going out (not while the process was down). */
  replies: { count: number; p50: number; p99: number; max: number; unanswered: number; duringRestart: number };
  /** The same chatters' reply latency (ms) in the 15 s before the campaign was sent: what the campaign adds is the difference. */
  quiet: { count: number; p50: number; p99: number };
  /** `rapport campaigns status winback --json` afterwards. */
  report?: { sent: number; failed: number; pending: number; queued: number; blocked: number };
  /** The process's down time when killed (SIGKILL to "rapport ready"), seconds. */
  downSeconds?: number;
  log: string;
  error?: string;
}

const CHAT = ["/balance", "hello", "what are your delivery times?", "/help", "/rewards", "thanks", "/menu", "how do I return an item?"];
/** How long the chatters talk before the campaign is sent (their reply latency without it). */
const QUIET_MS = 15_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
}

/** Runs `rapport <args>` to completion; resolves with its stdout, rejects on a non-zero exit. */
function rapportCli(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(RAPPORT_ROOT, "bin/rapport.mjs"), ...args], { env: { ...process.env, LOG_LEVEL: "warn", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`rapport ${args.join(" ")} exited ${code}: ${err.trim()}`))));
  });
}

/**
 * One campaign run (issue 15, "Benchmark"): `contacts` Telegram customers seeded into a fresh
 * database; a real `rapport start` polling the Bot API emulator (FakeTelegram over HTTP), with the
 * adapter's own throttling (30/s) and CAMPAIGN_RATE; `chatters` other customers writing to the bot
 * all along (each waits for the answer, then 1-2 s); the shipped `winback` campaign sent with
 * `rapport campaigns send --yes`. With `kill`, the process gets SIGKILL once half the audience has
 * its message and is started again. Then every audience chat's messages are counted at the fake.
 */
export async function runCampaignScenario(s: CampaignScenario, t: CampaignTiming, pgServer: string, logDir: string): Promise<CampaignOutcome> {
  const log = join(logDir, `${s.dialect}-${s.kill ? "kill" : "steady"}.log`);
  const database = await freshDatabase(s.dialect, pgServer);
  await seedAudience(database.url, t.contacts);
  const telegram = await FakeTelegram.start();
  const inbox = new Inbox(telegram);
  const env = {
    DATABASE_URL: database.url, FLOWS_DIR: join(RAPPORT_ROOT, "flows"), LOCALES_DIR: join(RAPPORT_ROOT, "locales"),
    ...(t.ratePerSecond === undefined ? {} : { CAMPAIGN_RATE: String(t.ratePerSecond) }), CAMPAIGN_QUIET_HOURS: "off",
  };
  const rapport = new RapportProcess({
    ...env, PORT: String(await freePort()), HOST: "127.0.0.1", TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot,
  }, mkdtempSync(join(tmpdir(), "rapport-campaign-")), log);
  const samples: { sentAt: number; latency?: number; down: boolean }[] = [];
  let down: [number, number] | undefined;
  let chatting = true;
  let quietFrom = 0;
  let quietTo = 0;
  const outcome: CampaignOutcome = {
    scenario: s, contacts: t.contacts, reached: 0, lost: t.contacts, duplicates: 0, duplicatedChats: 0, maxPerChat: 0, seconds: 0, rateOverall: 0, rateSustained: 0,
    rateAllSustained: 0, peakPerSecond: 0, secondsOver30: 0, replies: { count: 0, p50: NaN, p99: NaN, max: NaN, unanswered: 0, duringRestart: 0 }, quiet: { count: 0, p50: NaN, p99: NaN }, log,
  };
  const chatters: Promise<void>[] = [];
  try {
    await rapport.start();
    const isDown = (at: number) => down !== undefined && at >= down[0] && at <= down[1];
    for (let i = 0; i < t.chatters; i++) chatters.push(chatter(telegram, inbox, 70_001 + i, () => chatting, (sample) => samples.push({ ...sample, down: isDown(sample.sentAt) })));
    await sleep(5_000); // the chatters' first turns (their welcome) are not counted
    quietFrom = Date.now();
    await sleep(QUIET_MS);
    quietTo = Date.now();
    await rapportCli(["campaigns", "send", "winback", "--yes"], env);
    const reachedNow = () => { let n = 0; for (let i = 0; i < t.contacts; i++) if (inbox.count(String(AUDIENCE_CHAT + i)) > 0) n++; return n; };
    const deadline = Date.now() + (t.contacts / (t.ratePerSecond ?? 29)) * 2_000 + 120_000;
    let reached = 0;
    let lastAsked = 0;
    for (;;) {
      await sleep(250);
      reached = reachedNow();
      if (s.kill && rapport.starts === 1 && reached >= t.contacts / 2) {
        const killedAt = Date.now();
        down = [killedAt, Infinity];
        await rapport.kill();
        await sleep(1_000);
        await rapport.start();
        outcome.downSeconds = (Date.now() - killedAt) / 1000;
        down = [killedAt, Date.now() + 2_000]; // replies to messages sent while it was down, or just after, wait for the restart
      }
      if (reached === t.contacts || Date.now() > deadline) break;
      // After a kill, the messages it cut short are failed, not sent again: done once the report has an outcome for everyone.
      if (s.kill && rapport.starts > 1 && reached >= t.contacts - 10 && Date.now() - lastAsked > 5_000) {
        lastAsked = Date.now();
        const r = JSON.parse(await rapportCli(["campaigns", "status", "winback", "--json"], env)) as NonNullable<CampaignOutcome["report"]>;
        if (r.pending === 0 && r.queued === 0 && r.sent + r.failed === t.contacts) break;
      }
    }
    await sleep(5_000); // a late duplicate would arrive by now
  } catch (error) {
    outcome.error = (error as Error).message;
  }
  chatting = false;
  await Promise.all(chatters);
  await rapport.stop().catch(() => undefined);
  rapport.close();
  inbox.stop();
  try {
    const r = JSON.parse(await rapportCli(["campaigns", "status", "winback", "--json"], env)) as CampaignOutcome["report"];
    outcome.report = { sent: r!.sent, failed: r!.failed, pending: r!.pending, queued: r!.queued, blocked: r!.blocked };
  } catch (error) {
    outcome.error ??= (error as Error).message;
  }
  // Every message the fake received ([chat, ms]), beside the log, to look at a run second by second.
  writeFileSync(`${log}.sent.json`, JSON.stringify(telegram.sent.map((m) => [m.chatId, m.at])));
  await telegram.close();
  await database.dispose().catch(() => undefined);
  const quiet = samples.filter((x) => x.sentAt >= quietFrom && x.sentAt < quietTo && x.latency !== undefined).map((x) => x.latency!).sort((a, b) => a - b);
  return { ...outcome, ...measure(inbox, t, samples, down), quiet: { count: quiet.length, p50: percentile(quiet, 50), p99: percentile(quiet, 99) } };
}

/**
 * A customer writing to the bot until `on()` is false: a message, the answer (at most 5 s), 3-5 s, again.
 * Their answers (1-3 messages a turn) stay under Telegram's pace per chat (about one a second after a
 * burst of 4), so the latency measured is the bot's and the campaign's, not the per-chat limit's.
 */
async function chatter(telegram: FakeTelegram, inbox: Inbox, chat: number, on: () => boolean, sample: (s: { sentAt: number; latency?: number }) => void): Promise<void> {
  for (let n = 0; on(); n++) {
    const text = CHAT[(n + chat) % CHAT.length]!;
    const command = /^\/\w+/.exec(text);
    const before = inbox.count(String(chat));
    const sentAt = Date.now();
    await telegram.push({
      update_id: telegram.updateId(),
      message: {
        message_id: telegram.messageId(), date: Math.floor(sentAt / 1000), chat: { id: chat, type: "private", first_name: `C${chat}` },
        from: { id: chat, is_bot: false, first_name: `C${chat}`, language_code: "en" }, text,
        ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
      },
    } as Update);
    const at = await inbox.waitFor(String(chat), before, 5_000);
    sample({ sentAt, latency: at === undefined ? undefined : at - sentAt });
    await sleep(3_000 + Math.random() * 2_000);
  }
}

/** The figures: per audience chat counts, rates, the busiest second, reply latency while the campaign went out. */
function measure(inbox: Inbox, t: CampaignTiming, samples: { sentAt: number; latency?: number; down: boolean }[], down?: [number, number]): Partial<CampaignOutcome> {
  let reached = 0;
  let duplicates = 0;
  let duplicatedChats = 0;
  let maxPerChat = 0;
  const campaignTimes: number[] = [];
  for (let i = 0; i < t.contacts; i++) {
    const times = inbox.byChat.get(String(AUDIENCE_CHAT + i)) ?? [];
    if (times.length > 0) { reached++; campaignTimes.push(times[0]!); }
    if (times.length > 1) { duplicates += times.length - 1; duplicatedChats++; }
    maxPerChat = Math.max(maxPerChat, times.length);
  }
  campaignTimes.sort((a, b) => a - b);
  const first = campaignTimes[0] ?? 0;
  const last = campaignTimes.at(-1) ?? 0;
  const seconds = (last - first) / 1000;
  const lo = Math.floor(campaignTimes.length * 0.1);
  const hi = Math.floor(campaignTimes.length * 0.9) - 1;
  // Over the middle 80 %; after a kill, without the time it was down (and its first 2 s back).
  const from = campaignTimes[lo] ?? 0;
  const to = campaignTimes[hi] ?? 0;
  const up = (x: number) => !down || x < down[0] || x > down[1];
  const gapMs = down && hi > lo ? Math.max(0, Math.min(to, down[1]) - Math.max(from, down[0])) : 0;
  const spanS = (to - from - gapMs) / 1000;
  const rateSustained = hi > lo && spanS > 0 ? campaignTimes.slice(lo, hi + 1).filter(up).length / spanS : 0;
  const all = [...inbox.times].sort((a, b) => a - b);
  const rateAllSustained = hi > lo && spanS > 0 ? all.filter((x) => x >= from && x <= to && up(x)).length / spanS : 0;
  let peak = 0;
  for (let i = 0, j = 0; i < all.length; i++) {
    while (all[i]! - all[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  const perClockSecond = new Map<number, number>();
  for (const x of all) perClockSecond.set(Math.floor(x / 1000), (perClockSecond.get(Math.floor(x / 1000)) ?? 0) + 1);
  const secondsOver30 = [...perClockSecond.values()].filter((n) => n > 30).length;
  const during = samples.filter((x) => x.sentAt >= first && x.sentAt <= last);
  const answered = during.filter((x) => !x.down && x.latency !== undefined).map((x) => x.latency!).sort((a, b) => a - b);
  return {
    reached, lost: t.contacts - reached, duplicates, duplicatedChats, maxPerChat, seconds,
    rateOverall: seconds > 0 ? (campaignTimes.length - 1) / seconds : 0, rateSustained, rateAllSustained, peakPerSecond: peak, secondsOver30,
    replies: {
      count: answered.length, p50: percentile(answered, 50), p99: percentile(answered, 99), max: percentile(answered, 100),
      unanswered: during.filter((x) => !x.down && x.latency === undefined).length, duringRestart: during.filter((x) => x.down).length,
    },
  };
}
