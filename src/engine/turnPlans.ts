import type { ConversationState } from "../conversations/ConversationState";
import { idleState } from "../conversations/ConversationState";
import { inParts, inValues, sql, sqlWith, placeholders, type Plan, type Row } from "../db/plan";
import type { Database } from "../db/Database";
import type { ContactChanges, ContactView } from "../flows/types";
import { parseAttributes } from "../flows/attributes";
import { inRounds } from "./inRounds";
import { completeStatement, isResolved, receiveStatement } from "./pgTurnStatements";
import { INTERACTION_COLUMNS, pushInteractionValues, type InteractionRow } from "../history/InteractionRow";
import { OUTBOX_COLUMNS, pushOutboxValues, type OutboxEntry } from "../outbox/OutboxEntry";
import { forgetSent, markSent } from "../outbox/outboxStatements";

/** One inbound message to store: who sent it, and its history row (contactId filled in by the plan). */
export interface ReceiveItem {
  channel: string;
  externalUserId: string;
  displayName: string | null;
  username: string | null;
  /** Locale for a contact created by this message. */
  locale: string;
  newContactId: string;
  row: InteractionRow;
}

/** The stored message's contact and conversation; `duplicate` when this delivery was already handled. */
export interface Received {
  contact: ContactView;
  state: ConversationState;
  interactionId: string;
  duplicate: boolean;
  isNewContact: boolean;
  /** The contact was marked unreachable (a channel refused a send); this message shows they are back. */
  wasUnreachable: boolean;
  /** A person has the chat (support ticket): the message goes to staff instead of the flows. */
  openTicketId: string | null;
}

const CONTACT_COLUMNS = `c.id, c.display_name, c.username, c.locale, c.points, c.tier, c.segment, c.attributes, c.unreachable, c.open_ticket_id,
  s.flow_id, s.flow_version, s.step_id, s.variables, s.waiting, s.version`;

function toContact(r: Row): ContactView {
  return {
    id: r.id as string,
    displayName: (r.display_name as string | null) ?? null,
    username: (r.username as string | null) ?? null,
    locale: r.locale as string,
    points: Number(r.points),
    tier: r.tier as string,
    segment: (r.segment as string | null) ?? null,
    attributes: parseAttributes(r.attributes),
  };
}


/** A boolean column as either driver returns it (SQLite: 0/1, PostgreSQL: true/false). */
function isTrue(value: unknown): boolean {
  return value === true || value === 1 || value === 1n;
}

function toState(r: Row): ConversationState {
  if (r.version === null || r.version === undefined) return idleState();
  return {
    flowId: (r.flow_id as string | null) ?? null,
    flowVersion: r.flow_version === null ? null : Number(r.flow_version),
    stepId: (r.step_id as string | null) ?? null,
    variables: JSON.parse((r.variables as string) || "{}"),
    waiting: r.waiting ? JSON.parse(r.waiting as string) : null,
    version: Number(r.version),
  };
}

/** The channel reports a name or username that differs from the stored one (null means "not told"). */
function profileChanged(item: { displayName: string | null; username: string | null }, row: Row): boolean {
  return Boolean((item.displayName && row.display_name !== item.displayName) || (item.username && row.username !== item.username));
}

/** Keeps the profile current; a field the channel did not report is left as it is. */
function updateProfile(item: { displayName: string | null; username: string | null }, contactId: unknown, now: Date) {
  return sql(`UPDATE contacts SET display_name = COALESCE(?, display_name), username = COALESCE(?, username), updated_at = ? WHERE id = ?`, item.displayName, item.username, now, contactId);
}

/** The contact as it is after updateProfile. */
function withProfile(contact: ContactView, item: { displayName: string | null; username: string | null }): ContactView {
  return { ...contact, displayName: item.displayName ?? contact.displayName, username: item.username ?? contact.username };
}

/** Loads contacts and their conversation by channel identity, one statement for the whole batch. */
function* selectByIdentity(keys: { channel: string; externalUserId: string }[]): Plan<Map<string, Row>> {
  const params: unknown[] = [];
  // Padded to a few list lengths (a repeated key changes nothing): one prepared text per length (inValues).
  for (const k of inValues(keys)) params.push(k.channel, k.externalUserId);
  const rows = yield sqlWith(
    `SELECT i.channel AS ch, i.external_id AS ext, ${CONTACT_COLUMNS}
     FROM channel_identities i JOIN contacts c ON c.id = i.contact_id
     LEFT JOIN conversation_states s ON s.contact_id = c.id
     WHERE (i.channel, i.external_id) IN (VALUES ${placeholders(params.length / 2, 2)})`,
    params,
  );
  return new Map(rows.map((r) => [`${r.ch}\u0000${r.ext}`, r]));
}

/**
 * Stores a batch of inbound messages in one transaction: finds or creates each sender's contact,
 * inserts the history rows (a redelivered dedupe key or a retried id is recognised, not duplicated)
 * and returns each contact with its conversation state. Runs before any flow, so nothing received
 * is lost if the process dies afterwards.
 */
export function* receivePlan(items: ReceiveItem[], now: Date): Plan<Received[]> {
  const key = (i: { channel: string; externalUserId: string }) => `${i.channel}\u0000${i.externalUserId}`;
  const found = yield* selectByIdentity(items);
  const missing = [...new Map(items.filter((i) => !found.has(key(i))).map((i) => [key(i), i])).values()];
  const created = new Set<string>();
  if (missing.length > 0) {
    // Multi-row statements in power-of-two parts: a few prepared texts per table (inParts).
    yield* inParts(missing, (part) => sql(
      `INSERT INTO contacts (id, display_name, username, locale, created_at, updated_at) VALUES ${placeholders(part.length, 6)}`,
      ...part.flatMap((m) => [m.newContactId, m.displayName, m.username, m.locale, now, now]),
    ));
    const won = yield* inParts(missing, (part) => sql(
      `INSERT INTO channel_identities (channel, external_id, contact_id, created_at) VALUES ${placeholders(part.length, 4)}
       ON CONFLICT DO NOTHING RETURNING channel, external_id`,
      ...part.flatMap((m) => [m.channel, m.externalUserId, m.newContactId, now]),
    ));
    const winners = new Set(won.map((r) => `${r.channel}\u0000${r.external_id}`));
    const lost = missing.filter((m) => !winners.has(key(m)));
    // Another instance created the same identity between our SELECT and INSERT: drop our copy.
    if (lost.length > 0) yield sql(`DELETE FROM contacts WHERE id IN (${lost.map(() => "?").join(",")})`, ...lost.map((m) => m.newContactId));
    for (const w of winners) created.add(w);
    for (const [k, r] of yield* selectByIdentity(missing)) found.set(k, r); // only the new ones
  }
  const stale = new Set(items.filter((i) => !created.has(key(i)) && profileChanged(i, found.get(key(i))!)));
  for (const i of stale) yield updateProfile(i, found.get(key(i))!.id, now);
  for (const i of items) i.row.contactId = found.get(key(i))!.id as string;

  const inserted = yield* inParts(items, (part) => sqlWith(
    `INSERT INTO interactions (${INTERACTION_COLUMNS.join(", ")}) VALUES ${placeholders(part.length, INTERACTION_COLUMNS.length)}
     ON CONFLICT DO NOTHING RETURNING id`,
    pushInteractionValues([], part.map((i) => i.row)),
  ));
  const fresh = new Set(inserted.map((r) => r.id as string));
  const repeats = items.filter((i) => !fresh.has(i.row.id));
  const priorById = new Map<string, Row>();
  if (repeats.length > 0) {
    const keys = repeats.map((r) => r.row.dedupeKey ?? r.row.id);
    const rows = yield sql(
      `SELECT i.id, i.dedupe_key, (h.interaction_id IS NOT NULL) AS handled FROM interactions i LEFT JOIN handled_messages h ON h.interaction_id = i.id
       WHERE i.id IN (${keys.map(() => "?").join(",")}) OR i.dedupe_key IN (${keys.map(() => "?").join(",")})`,
      ...keys, ...keys,
    );
    for (const r of rows) { priorById.set(r.id as string, r); if (r.dedupe_key) priorById.set(r.dedupe_key as string, r); }
  }
  return items.map((i) => {
    const r = found.get(key(i))!;
    const prior = fresh.has(i.row.id) ? undefined : priorById.get(i.row.dedupeKey ?? i.row.id) ?? priorById.get(i.row.id);
    return {
      contact: stale.has(i) ? withProfile(toContact(r), i) : toContact(r),
      state: toState(r),
      interactionId: (prior?.id as string | undefined) ?? i.row.id,
      duplicate: Boolean(prior?.handled),
      isNewContact: created.has(key(i)),
      wasUnreachable: isTrue(r.unreachable),
      openTicketId: (r.open_ticket_id as string | null) ?? null,
    };
  });
}

/** Reloads one contact and its conversation by id (after a version conflict, or for a named event). */
export function* loadContactPlan(contactId: string): Plan<{ contact: ContactView; state: ConversationState; openTicketId: string | null } | undefined> {
  const rows = yield sql(`SELECT ${CONTACT_COLUMNS} FROM contacts c LEFT JOIN conversation_states s ON s.contact_id = c.id WHERE c.id = ?`, contactId);
  const r = rows[0];
  return r ? { contact: toContact(r), state: toState(r), openTicketId: (r.open_ticket_id as string | null) ?? null } : undefined;
}

/** True when this message (or scheduled job) id was handled already. */
export function* handledPlan(id: string): Plan<boolean> {
  const rows = yield sql(`SELECT 1 AS found FROM handled_messages WHERE interaction_id = ?`, id);
  return rows.length > 0;
}

/** Marks an inbound message handled without a turn (a person has the chat and took it). */
export function* markHandledPlan(interactionId: string): Plan<void> {
  yield sql(`INSERT INTO handled_messages (interaction_id) VALUES (?) ON CONFLICT DO NOTHING`, interactionId);
}

/** The result of a turn to persist: the next state (written only if nobody else moved it) and its rows. */
export interface CompleteItem {
  contactId: string;
  state: ConversationState; // state.version is the version read; the plan writes version + 1
  rows: InteractionRow[];
  inboundId?: string;
  contactChanges: ContactChanges;
  /** The turn's replies for the outbox, written in this same commit (issue 13). */
  outbox: OutboxEntry[];
  /** Set when this process sends them itself (their channel is attached here): written leased to it. */
  lease: { until: Date; owner: string } | null;
}

/**
 * A committed turn (`won`: its state write won the version check) and whether its outbox rows were
 * `held`: stored without a lease because an earlier message to the contact is still pending
 * elsewhere (a retry, another process), so they must wait their turn and the poller sends them.
 */
export interface Completed {
  won: boolean;
  held: boolean;
}


/**
 * Commits a batch of turns in one transaction. Each conversation state is written only if its
 * version is still the one the turn read (multi-row upsert guarded by version); history rows, outbox
 * rows and the inbound message's handled_messages row are written only for the turns that won.
 * Returns, per item, whether it committed; a loser is re-run by the engine on fresh state. Outbox
 * rows are leased to the caller unless the contact has an earlier pending message that is not the
 * caller's own (one statement, only when the batch has leased rows). `sent` are outbox rows the
 * dispatcher sent meanwhile: their "sent" mark rides in this commit instead of one of its own (issue
 * 13: that second commit per batch cost ~10% of the bench's throughput); `gone` ones are deleted
 * (forgetSent: sent, and nothing reads them afterwards).
 */
export function* completePlan(items: CompleteItem[], now: Date, sent: string[] = [], gone: string[] = []): Plan<Completed[]> {
  if (sent.length > 0) yield markSent("sqlite", sent, now);
  if (gone.length > 0) yield forgetSent("sqlite", gone);
  const won = yield* inParts(items, (part) => sqlWith(
    `INSERT INTO conversation_states (contact_id, flow_id, flow_version, step_id, variables, waiting, version, updated_at)
     VALUES ${placeholders(part.length, 8)}
     ON CONFLICT (contact_id) DO UPDATE SET flow_id = excluded.flow_id, flow_version = excluded.flow_version,
       step_id = excluded.step_id, variables = excluded.variables, waiting = excluded.waiting,
       version = excluded.version, updated_at = excluded.updated_at
     WHERE conversation_states.version = excluded.version - 1
     RETURNING contact_id`,
    stateValues(part, now),
  ));
  const winners = new Set(won.map((r) => r.contact_id as string));
  const ok = items.map((i) => winners.has(i.contactId));
  const committed = items.filter((_, n) => ok[n]);
  const rows = committed.flatMap((i) => i.rows);
  yield* inParts(rows, (part) => sqlWith(`INSERT INTO interactions (${INTERACTION_COLUMNS.join(", ")}) VALUES ${placeholders(part.length, INTERACTION_COLUMNS.length)}`,
    pushInteractionValues([], part)));
  const held = new Set<string>();
  const sending = committed.filter((i) => i.outbox.length > 0);
  if (sending.length > 0) {
    const leased = sending.filter((i) => i.lease);
    if (leased.length > 0) {
      // An earlier message still pending that is not ours (a retry, another process's): wait behind it.
      const owner = leased[0]!.lease!.owner;
      const blocking = yield sql(
        // INDEXED BY: without statistics SQLite would take the contact index and read their sent rows too.
        `SELECT contact_id, MIN(priority) AS priority FROM outbox INDEXED BY outbox_pending_idx WHERE contact_id IN (SELECT value FROM json_each(?)) AND status = 'pending'
         AND (lease_owner IS NULL OR lease_owner <> ? OR lease_until < ?) GROUP BY contact_id`,
        JSON.stringify(leased.map((i) => i.contactId)), owner, now,
      );
      const first = new Map(blocking.map((r) => [r.contact_id as string, Number(r.priority)]));
      for (const i of leased) if ((first.get(i.contactId) ?? Infinity) <= Math.min(...i.outbox.map((e) => e.priority))) held.add(i.contactId);
    }
    const entries = sending.flatMap((i) => i.outbox.map((e) => ({ e, lease: held.has(i.contactId) ? null : i.lease })));
    yield* inParts(entries, (part) => {
      const values: unknown[] = [];
      for (const { e, lease } of part) pushOutboxValues(values, e, now, lease);
      return sqlWith(`INSERT INTO outbox (${OUTBOX_COLUMNS.join(", ")}) VALUES ${placeholders(part.length, OUTBOX_COLUMNS.length)}`, values);
    });
  }
  const inbound = committed.map((i) => i.inboundId).filter((x): x is string => !!x);
  if (inbound.length > 0) yield* inParts(inbound, (part) => sql(`INSERT INTO handled_messages (interaction_id) VALUES ${placeholders(part.length, 1)} ON CONFLICT DO NOTHING`, ...part));
  for (const i of committed) {
    if (i.contactChanges.locale) yield sql(`UPDATE contacts SET locale = ?, updated_at = ? WHERE id = ?`, i.contactChanges.locale, now, i.contactId);
    // json_patch merges (RFC 7396): a null value removes that attribute.
    if (i.contactChanges.attributes) yield sql(`UPDATE contacts SET attributes = json_patch(attributes, ?), updated_at = ? WHERE id = ?`, JSON.stringify(i.contactChanges.attributes), now, i.contactId);
  }
  return items.map((i, n) => ({ won: ok[n]!, held: ok[n]! && i.outbox.length > 0 && (!i.lease || held.has(i.contactId)) }));
}

/** The conversation_states upsert's values, one array for the batch (no per-item arrays spread into one). */
function stateValues(items: CompleteItem[], now: Date): unknown[] {
  const values: unknown[] = [];
  for (const i of items) {
    values.push(i.contactId, i.state.flowId, i.state.flowVersion, i.state.stepId, JSON.stringify(i.state.variables),
      i.state.waiting ? JSON.stringify(i.state.waiting) : null, i.state.version + 1, now);
  }
  return values;
}

/** True when a history row with this id is stored (a turn's commit that landed though its ack was lost). */
export function* rowExistsPlan(interactionId: string): Plan<boolean> {
  const rows = yield sql(`SELECT 1 AS found FROM interactions WHERE id = ?`, interactionId);
  return rows.length > 0;
}

/**
 * Stores a batch of inbound messages on either database: one plan (one transaction) on SQLite; on
 * PostgreSQL one statement, plus rare follow-ups outside it: a changed profile, a redelivery raced
 * by another instance, and the plan for a new identity another instance created meanwhile.
 */
export async function receiveTurns(db: Database, items: ReceiveItem[], now: Date): Promise<Received[]> {
  return inRounds(items, (i) => `${i.channel}\u0000${i.externalUserId}`, async (round) => {
    if (db.dialect !== "postgresql") return db.run(receivePlan(round, now));
    const rows = await db.query(receiveStatement(round, now));
    const out: Received[] = new Array(round.length);
    const lost: number[] = [];
    for (const r of rows) {
      const n = Number(r.n);
      const item = round[n]!;
      if (!isResolved(r)) { lost.push(n); continue; }
      item.row.contactId = r.contact_id as string;
      out[n] = {
        contact: toContact({ ...r, id: r.contact_id }),
        state: toState(r),
        interactionId: r.fresh ? item.row.id : ((r.prior_id as string | null) ?? item.row.id),
        duplicate: !r.fresh && r.prior_handled === true,
        isNewContact: r.created === true,
        wasUnreachable: isTrue(r.unreachable),
        openTicketId: (r.open_ticket_id as string | null) ?? null,
      };
    }
    // Follow-up statements, each rare: a changed name; a redelivery that another instance stored
    // while this statement ran (its snapshot could not see that row, so look again).
    for (const [n, r] of rows.entries()) {
      const item = round[n]!;
      if (!isResolved(r)) continue;
      if (!r.created && profileChanged(item, r)) {
        await db.query(updateProfile(item, r.contact_id, now));
        out[n]!.contact = withProfile(out[n]!.contact, item);
      }
      if (!r.fresh && r.prior_id == null) {
        const [prior] = await db.query(sql(`SELECT i.id, EXISTS (SELECT 1 FROM handled_messages h WHERE h.interaction_id = i.id) AS handled
          FROM interactions i WHERE i.id = ? OR (?::text IS NOT NULL AND i.dedupe_key = ?) LIMIT 1`, item.row.id, item.row.dedupeKey, item.row.dedupeKey));
        if (prior) out[n] = { ...out[n]!, interactionId: prior.id as string, duplicate: prior.handled === true };
      }
    }
    if (lost.length > 0) {
      const orphans = lost.map((n) => round[n]!.newContactId);
      await db.query(sql(`DELETE FROM contacts c WHERE c.id IN (${orphans.map(() => "?").join(",")}) AND NOT EXISTS (SELECT 1 FROM channel_identities i WHERE i.contact_id = c.id)`, ...orphans));
      const again = await db.run(receivePlan(lost.map((n) => round[n]!), now));
      lost.forEach((n, k) => (out[n] = again[k]!));
    }
    return out;
  });
}

/**
 * Commits a batch of turns on either database, and the "sent" marks of `sent` outbox rows (and the
 * deletion of `gone` ones) with the first round; per item, whether its state write won and its
 * outbox rows were held.
 */
export async function completeTurns(db: Database, items: CompleteItem[], now: Date, sent: string[] = [], gone: string[] = []): Promise<Completed[]> {
  if (items.length === 0) {
    if (sent.length > 0) await db.query(markSent(db.dialect, sent, now));
    if (gone.length > 0) await db.query(forgetSent(db.dialect, gone));
    return [];
  }
  let marks = sent;
  let forgets = gone;
  return inRounds(items, (i) => i.contactId, async (round) => {
    const riding = marks;
    const deleting = forgets;
    marks = [];
    forgets = [];
    if (db.dialect !== "postgresql") return db.run(completePlan(round, now, riding, deleting));
    const won = new Map((await db.query(completeStatement(round, now, riding, deleting))).map((r) => [r.contact_id as string, r.held === true]));
    return round.map((i) => ({ won: won.has(i.contactId), held: won.has(i.contactId) && i.outbox.length > 0 && (!i.lease || won.get(i.contactId) === true) }));
  });
}
