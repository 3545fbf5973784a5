import { readFileSync } from "node:fs";
import pg from "pg";
import { CHATS } from "./plant";
import type { ScenarioRun } from "./scenario";

/** What a run proved, counted; `problems` lists every violation (empty when all held). */
export interface Verdict {
  problems: string[];
  updates: number;
  /** Chats whose consecutive updates were answered by different instances, and such transitions. */
  chatsAcrossInstances: number;
  transitionsAcrossInstances: number;
  repliesStored: number;
  repliesDelivered: number;
  /** Messages the emulator got twice (a send that reached Telegram just before the kill): at most one per chat. */
  deliveredTwice: number;
  jobsRun: number;
  plantedAnswered: number;
  staffRepliesRelayed: number;
  /** Customers' messages for the ticket thread not posted yet: leased by the killed instance (a 5-minute lease). */
  threadPostsLate: number;
  /** Staff replies in the thread of a card the killed instance posted but never recorded (its ticket gets a new card after the lease). */
  orphanCardReplies: number;
  leaderChanges: number;
  perInstance: number[];
}

interface Row { chat: string; id: string; direction: string; text: string | null; dedupe_key: string | null; handled: boolean }

/** Removes at most one element of `got` so that it equals `want`; returns whether one was removed, or undefined when impossible. */
function equalsButOne(got: string[], want: string[]): boolean | undefined {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (same(got, want)) return false;
  if (got.length !== want.length + 1) return undefined;
  for (let i = 0; i < got.length; i++) if (got[i] === got[i - 1] || got[i] === got[i + 1]) { if (same([...got.slice(0, i), ...got.slice(i + 1)], want)) return true; }
  return undefined;
}

/** Log lines of every start of every instance, each tagged with whether it came from the start that was killed. */
function logLines(run: ScenarioRun): { killed: boolean; line: Record<string, unknown> }[] {
  const out: { killed: boolean; line: Record<string, unknown> }[] = [];
  for (const file of run.logs) {
    let start = 0;
    for (const raw of readFileSync(file, "utf8").split("\n")) {
      if (raw.startsWith("--- start #")) { start++; continue; }
      if (!raw.startsWith("{")) continue;
      try {
        out.push({ killed: run.killed?.logFile === file && run.killed.start === start, line: JSON.parse(raw) as Record<string, unknown> });
      } catch { /* a line cut short by SIGKILL */ }
    }
  }
  return out;
}

/**
 * Checks a finished run from the database, the fakes and the instances' logs: every update stored
 * and handled once; each chat's history in the order its updates were sent, with the replies of each
 * between it and the next (so handled in order, whichever instance took each); what reached Telegram
 * is what was stored, in order, at most one message twice per chat (the kill's window); each
 * scheduled job run once; each planted unfinished message answered once, by one sweeper; the sweeper's
 * lock never held twice; each staff reply stored and relayed once; no thread post twice.
 */
export async function verify(run: ScenarioRun): Promise<Verdict> {
  const client = new pg.Client({ connectionString: run.options.databaseUrl });
  await client.connect();
  try {
    return await check(run, client);
  } finally {
    await client.end();
  }
}

async function check(run: ScenarioRun, client: pg.Client): Promise<Verdict> {
  const problems: string[] = [];
  const problem = (p: string) => { if (problems.length < 40) problems.push(p); else if (problems.length === 40) problems.push("…"); };
  if (!run.drained) problem(`not everything was delivered within ${run.options.drainMs} ms after the customers were done`);
  const rows = (await client.query(`SELECT ci.external_id AS chat, i.id, i.direction, i.text, i.dedupe_key,
      EXISTS (SELECT 1 FROM handled_messages h WHERE h.interaction_id = i.id) AS handled
    FROM interactions i JOIN channel_identities ci ON ci.contact_id = i.contact_id AND ci.channel = 'telegram'
    WHERE i.direction IN ('in', 'out') ORDER BY i.id`)).rows as Row[];
  const byChat = new Map<number, Row[]>();
  for (const r of rows) { const c = Number(r.chat); byChat.set(c, [...(byChat.get(c) ?? []), r]); }

  // Every update stored once, handled, and in the order sent; replies of update k before update k+1.
  const updateOf = (r: Row) => (r.dedupe_key?.startsWith("telegram:") ? Number(r.dedupe_key.split(":")[2]) : undefined);
  let updates = 0;
  const handoffs = new Set(run.handoffs);
  const chatTranscripts = new Map<string, number[]>();
  for (const [chat, sent] of run.updates) {
    updates += sent.length;
    const history = byChat.get(chat) ?? [];
    const inbound = history.filter((r) => r.direction === "in");
    const ids = inbound.map(updateOf);
    if (ids.join() !== sent.join()) problem(`chat ${chat}: updates stored ${JSON.stringify(ids)}, sent ${JSON.stringify(sent)}`);
    for (const r of inbound) if (!r.handled) problem(`chat ${chat}: update ${updateOf(r)} stored, never handled`);
    if (!handoffs.has(chat)) {
      const transcript = history.map((r) => `${r.direction}:${r.text}`).join("\n");
      chatTranscripts.set(transcript, [...(chatTranscripts.get(transcript) ?? []), chat]);
    }
  }
  // Bot customers said the same things: their histories must be the same, turn by turn.
  const transcripts = [...chatTranscripts.entries()].sort((a, b) => b[1].length - a[1].length);
  for (const [transcript, chats] of transcripts.slice(1)) problem(`chats ${chats.slice(0, 5).join(", ")}: history differs from the others':\n${transcript}\n--- most chats:\n${transcripts[0]![0]}`);
  const points = (await client.query(`SELECT ci.external_id AS chat, c.points FROM contacts c JOIN channel_identities ci ON ci.contact_id = c.id
    WHERE ci.channel = 'telegram' AND ci.external_id::bigint BETWEEN $1 AND $2`, [CHATS.customer, CHATS.customer + run.options.customers - 1])).rows as { chat: string; points: number }[];
  for (const p of points) if (!handoffs.has(Number(p.chat)) && p.points !== 50) problem(`chat ${p.chat}: ${p.points} points, the welcome gift is 50 once`);

  // What reached Telegram, per chat, is what was stored, in order; one message twice at most (the kill).
  let repliesStored = 0;
  let repliesDelivered = 0;
  let deliveredTwice = 0;
  const received = new Map<string, string[]>();
  for (const m of run.telegram.sent) received.set(m.chatId, [...(received.get(m.chatId) ?? []), m.text]);
  for (const [chat, history] of byChat) {
    const want = history.filter((r) => r.direction === "out").map((r) => r.text ?? "");
    const got = received.get(String(chat)) ?? [];
    repliesStored += want.length;
    const twice = equalsButOne(got, want);
    if (twice === undefined) problem(`chat ${chat}: Telegram got ${JSON.stringify(got)}, the history has ${JSON.stringify(want)}`);
    else { repliesDelivered += want.length; if (twice) deliveredTwice++; }
    if (twice && !run.killed) problem(`chat ${chat}: a message delivered twice without any kill`);
  }

  // Scheduled jobs: each ran once (its id stored with the turn it ran), and its thanks went out once.
  const jobs = (await client.query(`SELECT j.id, j.status, EXISTS (SELECT 1 FROM handled_messages h WHERE h.interaction_id = j.id) AS ran
    FROM scheduled_jobs j WHERE j.idempotency_key LIKE 'test:job:%'`)).rows as { id: string; status: string; ran: boolean }[];
  let jobsRun = 0;
  for (const j of jobs) { if (j.status === "done" && j.ran) jobsRun++; else problem(`job ${j.id}: ${j.status}, ${j.ran ? "ran" : "never ran"}`); }
  const jobTranscripts = new Set([...run.jobs.keys()].map((chat) => (byChat.get(chat) ?? []).map((r) => `${r.direction}:${r.text}`).join("\n").replaceAll(String(chat), "#")));
  if (jobTranscripts.size !== 1 || [...jobTranscripts][0] === "") problem(`job customers' histories differ or are empty: ${JSON.stringify([...jobTranscripts].slice(0, 3))}`);

  // Planted unfinished messages: answered once (history: the message and one answer), by one sweep.
  let plantedAnswered = 0;
  const lines = logLines(run);
  const recovered = new Map<string, { survivors: number; killed: number }>();
  for (const { killed: killedStart, line } of lines) {
    if (typeof line.msg !== "string" || !line.msg.startsWith("answering a message whose turn never finished")) continue;
    const r = recovered.get(line.interactionId as string) ?? { survivors: 0, killed: 0 };
    if (killedStart) r.killed++; else r.survivors++;
    recovered.set(line.interactionId as string, r);
  }
  for (const [chat, id] of run.planted) {
    const history = (byChat.get(chat) ?? []).map((r) => `${r.direction}:${(r.text ?? "").slice(0, 20)}`);
    if (history.length !== 2 || history[0] !== "in:/help" || !history[1]!.startsWith("out:")) problem(`planted chat ${chat}: history ${JSON.stringify(history)}`);
    else plantedAnswered++;
    const r = recovered.get(id) ?? { survivors: 0, killed: 0 };
    // A sweep the kill cut short may be repeated by the next leader; otherwise one sweep answers it.
    if (r.survivors > 1 || r.survivors + r.killed === 0) problem(`planted message ${id} (chat ${chat}) taken up by ${r.survivors} sweeps of live instances and ${r.killed} of the killed one`);
  }

  // The sweeper's lock: never two holders; after the kill, someone else.
  if (run.leaderSamples.some((s) => s.length > 1)) problem(`two instances held the sweeper's lock at once: ${JSON.stringify(run.leaderSamples.filter((s) => s.length > 1).slice(0, 3))}`);
  const holders = run.leaderSamples.filter((s) => s.length === 1).map((s) => s[0]!);
  const leaderChanges = holders.filter((h, i) => i > 0 && h !== holders[i - 1]).length;
  if (run.killed && !holders.some((h) => h !== run.killed!.pid)) problem("nobody took the sweeper over after its leader was killed");

  // Staff replies: each stored once and relayed once (delivered is checked per chat above).
  // A reply sent just before the kill whose receipt died with the process stays 'queued' until the sweeper settles it (after a minute).
  const relays = (await client.query(`SELECT text, CASE WHEN status = 'queued' AND EXISTS (SELECT 1 FROM outbox o WHERE o.source = 'ticket:' || m.id AND o.status = 'sent')
      THEN 'delivered' ELSE status END AS status, count(*) OVER (PARTITION BY text) AS n FROM ticket_messages m WHERE direction = 'to_customer' AND author <> 'bot'`)).rows as { text: string; status: string; n: string }[];
  const relayed = new Map(relays.map((r) => [r.text, r]));
  let staffRepliesRelayed = 0;
  let orphanCardReplies = 0;
  const cards = new Set(((await client.query(`SELECT card_ref FROM tickets WHERE card_ref IS NOT NULL`)).rows as { card_ref: string }[]).map((r) => r.card_ref));
  const orphanCards = new Set([...run.staffThreads.values()].filter((ts) => !cards.has(ts)));
  if (orphanCards.size > (run.killed ? 1 : 0)) problem(`${orphanCards.size} cards staff answered are no ticket's: ${[...orphanCards].join(", ")}`);
  for (const [text, chat] of run.staffReplies) {
    if (orphanCards.has(run.staffThreads.get(text)!)) { orphanCardReplies++; continue; }
    const r = relayed.get(text);
    const got = (received.get(String(chat)) ?? []).filter((t) => t === text).length;
    if (!r || Number(r.n) !== 1 || r.status !== "delivered" || got < 1) problem(`staff reply ${text}: stored ${r?.n ?? 0} times, ${r?.status ?? "-"}, reached the customer ${got} times`);
    else staffRepliesRelayed++;
  }
  // Customers' messages to the thread: never posted twice; those leased by the killed instance come after its lease.
  const threadPosts = new Map<string, number>();
  for (const a of run.slack.posted()) if (a.thread_ts && typeof a.text === "string") for (const m of a.text.match(/M-\d+-\d+/g) ?? []) threadPosts.set(m, (threadPosts.get(m) ?? 0) + 1);
  let threadPostsLate = 0;
  for (const chat of run.handoffs) for (const m of [`M-${chat}-1`, `M-${chat}-2`]) {
    const n = threadPosts.get(m) ?? 0;
    if (n > 1) problem(`${m} posted ${n} times in the ticket's thread: ${JSON.stringify((await client.query(`SELECT id, ticket_id, source_key, status, attempts, created_at, next_attempt_at, delivered_at, staff_ref FROM ticket_messages WHERE text LIKE $1`, [`%${m}%`])).rows)} ${JSON.stringify(run.slack.calls.filter((c) => JSON.stringify(c.args).includes(m)).map((c) => ({ method: c.method, at: c.at, thread: c.args.thread_ts, text: c.args.text, ok: c.result?.ok })))}`);
    if (n === 0) threadPostsLate++;
  }
  // Killed mid-post: the message being posted, and the messages of a ticket whose card was being posted, wait out the 5-minute lease.
  if (threadPostsLate > (run.killed ? 3 : 0)) problem(`${threadPostsLate} customer messages never reached the ticket threads`);
  const unanswered = (await client.query(`SELECT contact_id, count(*) AS n FROM interactions WHERE kind = 'ticket.unanswered' GROUP BY contact_id HAVING count(*) > 1`)).rows;
  if (unanswered.length > 0) problem(`${unanswered.length} tickets were told "nobody has answered yet" more than once`);

  // Consecutive updates of a chat answered by different instances (what round robin is for).
  const backendOf = new Map<number, number>();
  for (const s of run.proxy.served) {
    if (!s.path.startsWith("/telegram/hook") || s.status < 200 || s.status >= 300) continue;
    backendOf.set((JSON.parse(s.body) as { update_id: number }).update_id, s.backend);
  }
  let transitionsAcrossInstances = 0;
  let chatsAcrossInstances = 0;
  for (const sent of run.updates.values()) {
    const across = sent.filter((id, i) => i > 0 && backendOf.get(id) !== backendOf.get(sent[i - 1]!)).length;
    transitionsAcrossInstances += across;
    if (across > 0) chatsAcrossInstances++;
  }
  if (run.options.instances > 1 && chatsAcrossInstances === 0) problem("no chat had consecutive updates on different instances");
  return {
    problems, updates, chatsAcrossInstances, transitionsAcrossInstances, repliesStored, repliesDelivered, deliveredTwice, jobsRun, plantedAnswered,
    staffRepliesRelayed, threadPostsLate, orphanCardReplies, leaderChanges, perInstance: run.proxy.counts(),
  };
}
