import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeSlack } from "../../test/helpers/fakeSlack";
import { FakeTelegram } from "../../test/helpers/fakeTelegram";
import { TcpProxy } from "../../test/helpers/tcpProxy";
import { freshDatabase } from "../databases";
import { sqlitePath, type Dialect } from "../../src/db/Database";
import { count, type Counts } from "./count";
import { FaultyHttpProxy } from "./FaultyHttpProxy";
import { RAPPORT_ROOT, RapportProcess } from "../../test/helpers/rapportProcess";
import { lockSqlite } from "./sqliteOutage";
import { Workload } from "./workload";

const SECRET = "bench-faults-slack-signing-secret";
const CHANNEL = "CHELP";
const STAFF = "UANNA";

/** The faults the bench injects, one per scenario. */
export type Fault = "kill" | "database" | "telegram" | "slack";

/** One scenario: a database, an intake mode and a fault. */
export interface Scenario {
  dialect: Dialect;
  mode: "polling" | "webhook";
  fault: Fault;
}

/** How long things last; `--quick` shortens them. */
export interface Timing {
  customers: number;
  /** Kill: number of SIGKILLs and the pause before each (random in [min, max] ms after the last start). */
  kills: number;
  killGapMs: [number, number];
  databaseOutageMs: number;
  telegramOutageMs: number;
  slackOutageMs: number;
  /** How long to wait for the backlog to drain after recovery before counting what is left as lost. */
  drainLimitMs: number;
}

export const FULL: Timing = { customers: 40, kills: 5, killGapMs: [3_000, 8_000], databaseOutageMs: 60_000, telegramOutageMs: 30_000, slackOutageMs: 30_000, drainLimitMs: 180_000 };
export const QUICK: Timing = { customers: 16, kills: 5, killGapMs: [1_000, 3_000], databaseOutageMs: 10_000, telegramOutageMs: 8_000, slackOutageMs: 8_000, drainLimitMs: 90_000 };

/** The outcome of one scenario. */
export interface Outcome extends Counts {
  scenario: Scenario;
  /** Seconds from the end of the fault (the last restart ready, the outage over) until nothing was left to store or send; undefined if never. */
  drainSeconds: number | undefined;
  log: string;
  error?: string;
  /** What happened when (ISO times), and the lost updates' times, to read beside the log. */
  trace: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = ([min, max]: [number, number]) => min + Math.random() * (max - min);

function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
}

/**
 * Runs one scenario: a fresh database, the fake Bot API and Slack behind fault proxies, a real
 * `rapport start`, customers chatting (a quarter of them with a person in Slack) while the fault
 * happens; customers stop when it is over, and the bench waits for the backlog to drain.
 */
export async function runScenario(s: Scenario, timing: Timing, pgServer: string, logDir: string): Promise<Outcome> {
  const name = `${s.dialect}-${s.mode}-${s.fault}`;
  const log = join(logDir, `${name}.log`);
  const database = await freshDatabase(s.dialect, pgServer);
  const telegram = await FakeTelegram.start();
  const slack = await FakeSlack.start({ members: { [CHANNEL]: [STAFF, "UBOT"] } });
  const telegramProxy = await FaultyHttpProxy.start(telegram.apiRoot);
  const slackProxy = await FaultyHttpProxy.start(new URL(slack.apiUrl).origin);
  let pgProxy: TcpProxy | undefined;
  let url = database.url;
  if (s.dialect === "postgresql") {
    const server = new URL(database.url);
    pgProxy = new TcpProxy(server.hostname, Number(server.port || 5432));
    await pgProxy.up();
    server.hostname = "127.0.0.1";
    server.port = String(pgProxy.port);
    url = server.toString();
  }
  const port = await freePort();
  const rapport = new RapportProcess({
    PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: url, FLOWS_DIR: join(RAPPORT_ROOT, "flows"), LOCALES_DIR: join(RAPPORT_ROOT, "locales"),
    TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegramProxy.origin,
    ...(s.mode === "webhook" ? { TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/hook` } : {}),
    SLACK_BOT_TOKEN: slack.token, SLACK_SUPPORT_CHANNEL: CHANNEL, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: `${slackProxy.origin}/api/`,
  }, mkdtempSync(join(tmpdir(), "rapport-faults-")), log);
  const workload = new Workload({ telegram, slack, mode: s.mode, port, slackSecret: SECRET, supportChannel: CHANNEL, staffUser: STAFF });
  let drainSeconds: number | undefined;
  let error: string | undefined;
  const trace: string[] = [];
  const note = (what: string) => trace.push(`${new Date().toISOString()} ${what}`);
  try {
    await rapport.start();
    let customersOn = true;
    workload.start(timing.customers, 4, () => customersOn);
    const recoveredAt = await inject(s, timing, { rapport, telegramProxy, slackProxy, pgProxy, sqliteFile: s.dialect === "sqlite" ? sqlitePath(database.url) : undefined, note });
    customersOn = false;
    const deadline = recoveredAt + timing.drainLimitMs;
    const posted = workload.finish(deadline);
    let nextNote = recoveredAt + 10_000;
    for (;;) {
      const c = await count(url, workload.sent, telegram).catch(() => undefined);
      if (c && c.lost === 0 && c.neverDelivered === 0 && c.staffDelivered === c.staffAcked && (await isSettled(posted))) {
        drainSeconds = (Date.now() - recoveredAt) / 1000;
        break;
      }
      if (Date.now() > deadline) break;
      if (c && Date.now() >= nextNote) {
        // What the drain is waiting for, every 10 s, to read beside the log when it is slow.
        const unacked = s.mode === "webhook" ? [...workload.sent.times.values()].filter((t) => !t.acked).length : 0;
        note(`+${Math.round((Date.now() - recoveredAt) / 1000)} s: ${c.lost} updates not stored${s.mode === "webhook" ? `, ${unacked} not acknowledged` : ""}, ${c.neverDelivered} replies not delivered, staff replies ${c.staffDelivered}/${c.staffAcked}`);
        nextNote += 10_000;
      }
      await sleep(500);
    }
    await posted;
  } catch (e) {
    error = (e as Error).message;
  }
  const final = await count(url, workload.sent, telegram).catch(() => count(database.url, workload.sent, telegram));
  for (const id of final.lostSample) {
    const t = workload.sent.times.get(id)!;
    trace.push(`lost update ${id} (chat ${workload.sent.updates.get(id)}): sent ${new Date(t.sent).toISOString()}${t.acked ? `, acknowledged ${new Date(t.acked).toISOString()}` : ", never acknowledged"}`);
  }
  for (const line of final.twiceSample) trace.push(`delivered twice: ${line}`);
  await rapport.stop().catch(() => undefined);
  rapport.close();
  await Promise.all([telegram.close(), slack.close(), telegramProxy.close(), slackProxy.close(), pgProxy?.down()].map((p) => p?.catch(() => undefined)));
  if (process.env.BENCH_FAULTS_KEEP) trace.push(`database kept: ${database.url}`);
  else await database.dispose().catch(() => undefined);
  return { scenario: s, ...final, drainSeconds, log, error, trace };
}

async function isSettled(p: Promise<void>): Promise<boolean> {
  return Promise.race([p.then(() => true), sleep(0).then(() => false)]);
}

interface Knobs {
  rapport: RapportProcess;
  telegramProxy: FaultyHttpProxy;
  slackProxy: FaultyHttpProxy;
  pgProxy: TcpProxy | undefined;
  sqliteFile: string | undefined;
  note(what: string): void;
}

/** Injects the scenario's fault while the customers chat; resolves with the moment it was over. */
async function inject(s: Scenario, t: Timing, k: Knobs): Promise<number> {
  switch (s.fault) {
    case "kill":
      for (let i = 0; i < t.kills; i++) {
        await sleep(between(t.killGapMs));
        k.note(`SIGKILL ${i + 1}`);
        await k.rapport.kill();
        await sleep(between([200, 1_500]));
        k.note("restarting");
        await k.rapport.start();
        k.note("ready");
      }
      await sleep(between(t.killGapMs));
      return Date.now();
    case "database": {
      await sleep(5_000);
      k.note("database away");
      if (k.pgProxy) {
        await k.pgProxy.down();
        await sleep(t.databaseOutageMs);
        await k.pgProxy.up();
      } else {
        const release = lockSqlite(k.sqliteFile!);
        await sleep(t.databaseOutageMs);
        release();
      }
      k.note("database back");
      return Date.now();
    }
    case "telegram":
      await sleep(5_000);
      k.telegramProxy.outage(t.telegramOutageMs);
      await sleep(t.telegramOutageMs);
      return Date.now();
    case "slack":
      await sleep(8_000); // the first handoffs have their cards by now
      k.slackProxy.outage(t.slackOutageMs);
      await sleep(t.slackOutageMs);
      return Date.now();
  }
}
