import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import type { FakeTelegram } from "../../test/helpers/fakeTelegram";
import type { Sent } from "./workload";

/** What became of what the bench sent, at one moment. */
export interface Counts {
  updatesSent: number;
  /** Updates stored exactly once (a customer message in the history with the update's id). */
  storedOnce: number;
  /** Updates stored more than once (never expected: the update id is a unique key). */
  storedTwice: number;
  /** Updates sent and not stored. */
  lost: number;
  /** Messages to customers in the history (bot replies, staff replies, notices). */
  repliesStored: number;
  /** Of those, how many the Bot API received (matched per chat by text). */
  delivered: number;
  neverDelivered: number;
  /** Messages the Bot API received more often than they are stored. */
  deliveredTwice: number;
  /** Staff replies Rapport acknowledged, and how many of them reached the customer. */
  staffAcked: number;
  staffDelivered: number;
  /** Up to 20 of the lost update ids, to look for in the log. */
  lostSample: number[];
  /** Up to 10 of the texts delivered more often than stored, with their chat and counts, to look for in the database. */
  twiceSample: string[];
}

/** Reads the history of a bench database: inbound update ids and outbound texts per Telegram chat. */
export async function readHistory(url: string): Promise<{ inbound: string[]; outbound: { chat: string; text: string }[] }> {
  const inboundSql = "SELECT dedupe_key AS k FROM interactions WHERE direction = 'in' AND dedupe_key LIKE 'telegram:%'";
  const outboundSql = `SELECT ci.external_id AS chat, i.text AS text FROM interactions i
    JOIN channel_identities ci ON ci.contact_id = i.contact_id AND ci.channel = 'telegram' WHERE i.direction = 'out'`;
  if (url.startsWith("file:")) {
    const db = new BetterSqlite3(url.slice(5), { readonly: true, timeout: 10_000 });
    try {
      return { inbound: (db.prepare(inboundSql).all() as { k: string }[]).map((r) => r.k), outbound: db.prepare(outboundSql).all() as { chat: string; text: string }[] };
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return { inbound: (await client.query(inboundSql)).rows.map((r) => r.k as string), outbound: (await client.query(outboundSql)).rows as { chat: string; text: string }[] };
  } finally {
    await client.end();
  }
}

/**
 * Counts, from the database and the fake Bot API. Updates are matched by id (the dedupe key holds
 * it: `telegram:<bot>:<update id>:…`); replies per chat as multisets of texts, since a sent message
 * carries no id of the stored row: a text stored twice and sent once is one never delivered.
 */
export async function count(url: string, sent: Sent, telegram: FakeTelegram): Promise<Counts> {
  const { inbound, outbound } = await readHistory(url);
  const stored = new Map<number, number>();
  for (const key of inbound) {
    const id = Number(key.split(":")[2]);
    if (sent.updates.has(id)) stored.set(id, (stored.get(id) ?? 0) + 1);
  }
  let storedOnce = 0;
  let storedTwice = 0;
  for (const n of stored.values()) n === 1 ? storedOnce++ : storedTwice++;

  const tally = (rows: { chat: string; text: string }[]) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(`${r.chat}\u0000${r.text}`, (m.get(`${r.chat}\u0000${r.text}`) ?? 0) + 1);
    return m;
  };
  const want = tally(outbound.map((o) => ({ chat: String(o.chat), text: o.text ?? "" })));
  const got = tally(telegram.sent.map((s) => ({ chat: s.chatId, text: s.text })));
  let delivered = 0;
  let neverDelivered = 0;
  let deliveredTwice = 0;
  for (const [key, n] of want) {
    const g = got.get(key) ?? 0;
    delivered += Math.min(n, g);
    neverDelivered += Math.max(n - g, 0);
  }
  const twiceSample: string[] = [];
  for (const [key, g] of got) {
    const surplus = Math.max(g - (want.get(key) ?? 0), 0);
    deliveredTwice += surplus;
    const [chat, text] = key.split("\u0000");
    if (surplus > 0 && twiceSample.length < 10) twiceSample.push(`chat ${chat}: delivered ${g}, stored ${want.get(key) ?? 0}: ${JSON.stringify(text!.slice(0, 80))}`);
  }
  const texts = new Set(telegram.sent.map((s) => s.text));
  let staffDelivered = 0;
  for (const text of sent.staffReplies.keys()) if (texts.has(text)) staffDelivered++;
  return {
    updatesSent: sent.updates.size, storedOnce, storedTwice, lost: sent.updates.size - stored.size,
    repliesStored: outbound.length, delivered, neverDelivered, deliveredTwice,
    staffAcked: sent.staffReplies.size, staffDelivered,
    lostSample: [...sent.updates.keys()].filter((id) => !stored.has(id)).slice(0, 20),
    twiceSample,
  };
}
