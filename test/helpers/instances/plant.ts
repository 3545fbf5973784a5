import type pg from "pg";

/** Chat ids of the people a scenario makes, by role, so replies can be told apart per chat. */
export const CHATS = { customer: 70_001, planted: 80_001, job: 90_001 } as const;

/** An id as newId() would have made it `ageMs` ago (time-ordered ids: the sweeper walks them by age). */
function oldId(ageMs: number, n: number, tag: string): string {
  return `${(Date.now() - ageMs).toString(36).padStart(9, "0")}${n.toString(36).padStart(4, "0")}${tag}`;
}

/** Inserts a contact reachable on Telegram at `chat`; returns its id. */
async function contact(client: pg.Client, chat: number, tag: string): Promise<string> {
  const id = oldId(3_600_000, chat % 1_000_000, tag);
  await client.query(`INSERT INTO contacts (id, display_name, locale, created_at, updated_at) VALUES ($1, $2, 'en', now(), now())`, [id, `P${chat}`]);
  await client.query(`INSERT INTO channel_identities (channel, external_id, contact_id, created_at) VALUES ('telegram', $1, $2, now())`, [String(chat), id]);
  return id;
}

/**
 * Stored but never answered: `/help` from `count` customers, stored two and a half minutes ago with
 * no turn (what a kill -9 mid-turn after polling confirmed the update leaves): past the sweeper's
 * two-minute settle time, within the minute every pass looks back again. The sweeper must answer
 * each once, whichever instance sweeps. Returns the interaction ids by chat.
 */
export async function plantUnfinished(client: pg.Client, firstChat: number, count: number, tag: string): Promise<Map<number, string>> {
  const planted = new Map<number, string>();
  for (let i = 0; i < count; i++) {
    const chat = firstChat + i;
    const contactId = await contact(client, chat, tag);
    const id = oldId(150_000, i, tag);
    await client.query(
      `INSERT INTO interactions (id, contact_id, occurred_at, direction, kind, channel, dedupe_key, actor, text, data)
       VALUES ($1, $2, now() - interval '150 seconds', 'in', 'command', 'telegram', $3, 'customer', '/help', '{"command":"help","payload":null}')`,
      [id, contactId, `planted:${tag}:${chat}`],
    );
    planted.set(chat, id);
  }
  return planted;
}

/**
 * Scheduled work: a `purchase.recorded` event per job customer (flows/after-purchase.yaml thanks them
 * and schedules a review request), due at spread moments over `spreadMs` from now, so jobs come due
 * before, during and after the kill. Returns the job ids by chat.
 */
export async function plantJobs(client: pg.Client, count: number, spreadMs: number): Promise<Map<number, string>> {
  const jobs = new Map<number, string>();
  for (let i = 0; i < count; i++) {
    const chat = CHATS.job + i;
    const contactId = await contact(client, chat, "jobs0000");
    const id = oldId(0, i, "job00000");
    const due = new Date(Date.now() + Math.floor((spreadMs * i) / Math.max(1, count)));
    await client.query(
      `INSERT INTO scheduled_jobs (id, kind, contact_id, name, data, due_at, status, idempotency_key) VALUES ($1, 'event', $2, 'purchase.recorded', $3, $4, 'pending', $5)`,
      [id, contactId, JSON.stringify({ firstPurchase: false, points: 7, orderId: `J-${chat}` }), due.toISOString().replace("Z", ""), `test:job:${chat}`],
    );
    jobs.set(chat, id);
  }
  return jobs;
}
