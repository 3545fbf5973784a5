import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Update } from "grammy/types";
import pg from "pg";
import { openDatabase } from "../../../src/db/Database";
import { LEADER_LOCKS } from "../../../src/db/Leadership";
import { migrate } from "../../../src/db/migrate";
import { FakeSlack, messageEvent, postToSlackApp } from "../fakeSlack";
import { FakeTelegram } from "../fakeTelegram";
import { RAPPORT_ROOT, RapportProcess } from "../rapportProcess";
import { RoundRobinProxy } from "../roundRobinProxy";
import { CHATS, plantJobs, plantUnfinished } from "./plant";

/** How big a run is; the test keeps it small, `bench/instances.ts` runs 1,000 customers. */
export interface ScenarioOptions {
  /** A fresh, empty PostgreSQL database. */
  databaseUrl: string;
  /** Where each instance's log goes. */
  logDir: string;
  instances: number;
  customers: number;
  /** Every n-th customer asks for a person and gets staff replies from Slack. */
  handoffEvery: number;
  jobs: number;
  /** Unanswered messages planted before start, and as many again right after the kill. */
  planted: number;
  /** SIGKILL the instance that sweeps once a third of the updates went out, and start it again. */
  kill: boolean;
  /** Staff replies per ticket. */
  staffReplies: number;
  /** Give up waiting for everything to be delivered after this long (after the customers are done). */
  drainMs: number;
}

/** A bot customer's script: the welcome (a 50-point gift, once), then commands with a reply each. */
export const CHAT_SCRIPT = ["/start", "/help", "/menu", "/rewards", "/help"];
/** A customer who asks for a person, then writes twice more (to the ticket's thread). */
export const handoffScript = (chat: number) => ["/support", `Q-${chat} my parcel never arrived`, `M-${chat}-1`, `M-${chat}-2`];

/** What a run did and saw, for the checks (verify.ts) and the bench's figures. */
export interface ScenarioRun {
  options: ScenarioOptions;
  telegram: FakeTelegram;
  slack: FakeSlack;
  proxy: RoundRobinProxy;
  /** Update ids per customer chat, in the order they were sent; each was acknowledged (2xx) before the next. */
  updates: Map<number, number[]>;
  /** Milliseconds from the first post of an update to its 2xx (a webhook answers once the update is handled). */
  latencies: number[];
  /** Chats that asked for a person, and the staff replies Slack had acknowledged (text → chat). */
  handoffs: number[];
  staffReplies: Map<string, number>;
  /** The card (thread ts) each staff reply answered. */
  staffThreads: Map<string, string>;
  planted: Map<number, string>;
  jobs: Map<number, string>;
  /** Leader lock holders seen at each sample (pids); never more than one. */
  leaderSamples: number[][];
  /** The instance killed: its process id, when, its log file and which of its starts it was. */
  killed?: { pid: number; at: number; logFile: string; start: number };
  /** Until every instance was ready; from the first update to the last acknowledgement; then until all was delivered. */
  startMs: number;
  driveMs: number;
  drainMs: number;
  drained: boolean;
  logs: string[];
  stop(): Promise<void>;
}

const SIGNING_SECRET = "multi-instance-signing-secret";
const WEBHOOK_SECRET = "multi-instance-webhook-secret";
const SUPPORT_CHANNEL = "CHELP";
const STAFF = "UANNA";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
}

/**
 * Runs `instances` real `rapport start` processes (compiled, bin/rapport.mjs) on one PostgreSQL
 * database, in webhook mode behind a round-robin proxy, with the Bot API emulator and the Slack fake
 * (HTTP mode: events through the proxy too). Customers chat (a chat's updates are posted one at a
 * time, each until answered 2xx, as Telegram's webhook does per chat), some hand off to a person who
 * answers from Slack, scheduled jobs come due and the sweeper answers planted unfinished messages,
 * while the instance that sweeps is killed with SIGKILL and started again. Then it waits until
 * everything is delivered. Call `stop()` when done with the run.
 */
export async function runScenario(o: ScenarioOptions): Promise<ScenarioRun> {
  mkdirSync(o.logDir, { recursive: true });
  const client = new pg.Client({ connectionString: o.databaseUrl });
  const db = await openDatabase(o.databaseUrl);
  await migrate(db);
  await db.close();
  await client.connect();
  const planted = await plantUnfinished(client, CHATS.planted, o.planted, "plantA00");
  const jobs = await plantJobs(client, o.jobs, 15_000);

  const telegram = await FakeTelegram.start();
  const slack = await FakeSlack.start({ members: { [SUPPORT_CHANNEL]: [STAFF, "UBOT"] } });
  const ports = await Promise.all(Array.from({ length: o.instances }, () => freePort()));
  const proxy = await RoundRobinProxy.start(ports);
  const instances = ports.map((port, i) => new RapportProcess({
    PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: o.databaseUrl, FLOWS_DIR: join(RAPPORT_ROOT, "flows"), LOCALES_DIR: join(RAPPORT_ROOT, "locales"),
    TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot, TELEGRAM_WEBHOOK_URL: `${proxy.origin}/telegram/hook`, TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TELEGRAM_MESSAGES_PER_SECOND: "1000", // the emulator has no overall limit; each chat keeps Telegram's own
    SLACK_BOT_TOKEN: slack.token, SLACK_SUPPORT_CHANNEL: SUPPORT_CHANNEL, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl,
    SWEEP_INTERVAL_SECONDS: "1", SUPPORT_UNANSWERED_MINUTES: "0.05", WEBCHAT: "false",
  }, o.logDir, join(o.logDir, `instance-${i}.log`)));
  const run: ScenarioRun = {
    options: o, telegram, slack, proxy, updates: new Map(), latencies: [], handoffs: [], staffReplies: new Map(), staffThreads: new Map(), planted, jobs,
    leaderSamples: [], startMs: 0, driveMs: 0, drainMs: 0, drained: false, logs: instances.map((r) => r.logFile),
    async stop() {
      await Promise.all(instances.map((r) => r.stop().catch(() => undefined)));
      instances.forEach((r) => r.close());
      await Promise.all([telegram.close(), slack.close(), proxy.close()]);
      await client.end().catch(() => undefined);
    },
  };
  try {
    const booting = Date.now();
    await Promise.all(instances.map((r) => r.start()));
    run.startMs = Date.now() - booting;
    const leaders = async () => (await client.query(
      `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted AND a.datname = current_database()`, [LEADER_LOCKS.sweeper])).rows.map((r) => Number(/pid (\d+)$/.exec(r.name as string)?.[1]));
    let sampling = true;
    const sampler = (async () => { while (sampling) { run.leaderSamples.push(await leaders().catch(() => [])); await sleep(200); } })();

    const total = o.customers * CHAT_SCRIPT.length;
    let posted = 0;
    const killer = (async () => {
      if (!o.kill) return;
      while (posted < total / 3) await sleep(20);
      const [pid] = await leaders();
      const victim = instances.find((r) => r.pid === pid) ?? instances[0]!;
      run.killed = { pid: victim.pid!, at: Date.now(), logFile: victim.logFile, start: victim.starts };
      await victim.kill();
      await plantUnfinished(client, CHATS.planted + o.planted, o.planted, "plantB00").then((m) => m.forEach((v, k) => planted.set(k, v)));
      await sleep(700);
      await victim.start();
    })();
    const started = Date.now();
    const customers = Array.from({ length: o.customers }, (_, i) => CHATS.customer + i);
    const drive = Promise.all(customers.map(async (chat, i) => {
      const handoff = o.handoffEvery > 0 && i % o.handoffEvery === o.handoffEvery - 1;
      if (handoff) run.handoffs.push(chat);
      for (const text of handoff ? handoffScript(chat) : CHAT_SCRIPT) {
        await postUpdate(run, chat, text);
        posted++;
      }
    }));
    const staff = staffReplies(run, o);
    await drive;
    run.driveMs = Date.now() - started;
    await staff;
    await killer;
    const draining = Date.now();
    run.drained = await drain(client, run, o.drainMs);
    run.drainMs = Date.now() - draining;
    sampling = false;
    await sampler;
  } catch (error) {
    await run.stop();
    throw error;
  }
  return run;
}

/** A chat's next update, posted through the proxy until an instance answers 2xx (Telegram retries for hours). */
async function postUpdate(run: ScenarioRun, chat: number, text: string): Promise<void> {
  const id = run.telegram.updateId();
  const command = /^\/\w+/.exec(text);
  const update = {
    update_id: id,
    message: {
      message_id: run.telegram.messageId(), date: Math.floor(Date.now() / 1000),
      chat: { id: chat, type: "private", first_name: `C${chat}` }, from: { id: chat, is_bot: false, first_name: `C${chat}`, language_code: "en" },
      text, ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
    },
  } as Update;
  const list = run.updates.get(chat) ?? [];
  list.push(id);
  run.updates.set(chat, list);
  const start = performance.now();
  for (let wait = 50; ; wait = Math.min(wait * 2, 1_000)) {
    const status = await fetch(`${run.proxy.origin}/telegram/hook`, {
      method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET }, body: JSON.stringify(update),
    }).then(async (r) => { await r.arrayBuffer(); return r.status; }, () => 0);
    if (status >= 200 && status < 300) break;
    await sleep(wait);
  }
  run.latencies.push(performance.now() - start);
}

/**
 * The person in Slack: answers each ticket's card in its thread `staffReplies` times, each reply
 * posted (through the proxy) until acknowledged; the first reply of each ticket is delivered twice,
 * as Slack retries an event it thinks was missed (the second to another instance).
 */
async function staffReplies(run: ScenarioRun, o: ScenarioOptions): Promise<void> {
  const answered = new Set<string>();
  const work: Promise<void>[] = [];
  const deadline = Date.now() + 120_000;
  while (answered.size < run.handoffs.length && Date.now() < deadline) {
    for (const c of run.slack.calls) {
      if (c.method !== "chat.postMessage" || !c.result?.ok || c.args.thread_ts || c.args.channel !== SUPPORT_CHANNEL) continue;
      const ts = c.result.ts as string;
      const chat = /Q-(\d+)/.exec(JSON.stringify(c.args.blocks ?? c.args.text ?? ""))?.[1];
      if (!chat || answered.has(ts)) continue;
      answered.add(ts);
      work.push((async () => {
        for (let n = 1; n <= o.staffReplies; n++) {
          const text = `R-${chat}-${n}`;
          const event = messageEvent({ channel: SUPPORT_CHANNEL, user: STAFF, text, ts: `${Math.floor(Date.now() / 1000)}.${chat}${n}`, threadTs: ts });
          let acked = false;
          for (let retry = 0, end = Date.now() + 90_000; !acked && Date.now() < end; retry++) {
            const res = await postToSlackApp(`${run.proxy.origin}/slack/events`, SIGNING_SECRET, { json: event }, retry > 0 ? { retryNum: retry } : {}).catch(() => ({ status: 0 }));
            acked = res.status === 200;
            if (!acked) await sleep(200);
          }
          if (!acked) continue;
          run.staffReplies.set(text, Number(chat));
          run.staffThreads.set(text, ts);
          if (n === 1) await postToSlackApp(`${run.proxy.origin}/slack/events`, SIGNING_SECRET, { json: event }, { retryNum: 1 }).catch(() => undefined);
        }
      })());
    }
    await sleep(100);
  }
  await Promise.all(work);
}

/** Waits until every job ran, every planted message and staff reply is answered and the outbox is empty. */
async function drain(client: pg.Client, run: ScenarioRun, limitMs: number): Promise<boolean> {
  const end = Date.now() + limitMs;
  const planted = [...run.planted.values()];
  while (Date.now() < end) {
    const left = (await client.query(`SELECT
        (SELECT count(*) FROM scheduled_jobs WHERE status <> 'done' AND idempotency_key LIKE 'test:job:%') AS jobs,
        (SELECT count(*) FROM outbox WHERE status = 'pending') AS outbox,
        (SELECT count(*) FROM ticket_messages m WHERE direction = 'to_customer' AND status NOT IN ('delivered', 'failed')
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.source = 'ticket:' || m.id AND o.status = 'sent')) AS relay,
        (SELECT count(*) FROM unnest($1::text[]) p(id) WHERE NOT EXISTS (SELECT 1 FROM handled_messages h WHERE h.interaction_id = p.id)) AS planted`, [planted])).rows[0] as Record<string, string>;
    if (Object.values(left).every((v) => Number(v) === 0)) return true;
    await sleep(300);
  }
  return false;
}
