import { sql, type Row, type Statement } from "../db/plan";
import type { CompleteItem, ReceiveItem } from "./turnPlans";

/**
 * PostgreSQL's hot path as single statements. Each turn stage is one data-modifying CTE with JSON
 * parameters: one round trip and one commit per batch instead of BEGIN, five statements and COMMIT.
 * Measured on these 2-core machines, round trips (server and client share the cores) dominated the
 * latency at 1,000 messages/s (bench/README.md). SQLite runs the equivalent plans in turnPlans.ts.
 * Both statements are prepared by name: their text is constant (the batch travels as JSON), and
 * planning these CTEs took longer (1.6 ms) than running them for a few messages. Change the name
 * (`_v2`) whenever the SQL changes, so a connection never runs a stale prepared statement.
 */

/**
 * Stores a batch of inbound messages: creates missing contacts and identities, inserts the history
 * rows (a repeated id or dedupe key is recognised) and returns, per input position `n`, the contact
 * as stored (the caller updates a changed name, which is rare, with its own statement), and
 * its conversation and whether the row was new. A row with a null `contact_id` lost a race with
 * another instance creating the same identity; the caller handles those with the general plan.
 * Rows inserted here are not visible to the outer SELECT (one snapshot), so a new contact's fields
 * come from the input and the column defaults. Lookups go through LATERAL subqueries so they are
 * index probes (LIMIT 1 keeps the planner from flattening them into joins) whatever it estimates for the JSON input (100 rows, which otherwise
 * makes it scan whole tables until they are large).
 */
export function receiveStatement(items: ReceiveItem[], now: Date): Statement {
  const input = items.map((i, n) => ({
    n, channel: i.channel, ext_user: i.externalUserId, display_name: i.displayName, username: i.username, locale: i.locale,
    new_contact_id: i.newContactId, id: i.row.id, occurred_at: i.row.occurredAt.toISOString(), kind: i.row.kind,
    external_id: i.row.externalId, dedupe_key: i.row.dedupeKey, text: i.row.text, data: i.row.data,
  }));
  const statement = sql(`
WITH input AS (
  SELECT * FROM json_to_recordset(?::json) AS x(n int, channel text, ext_user text, display_name text, username text, locale text,
    new_contact_id text, id text, occurred_at timestamp(3), kind text, external_id text, dedupe_key text, text text, data text)
), known AS (
  SELECT x.n, i.contact_id FROM input x
  CROSS JOIN LATERAL (SELECT contact_id FROM channel_identities i WHERE i.channel = x.channel AND i.external_id = x.ext_user LIMIT 1) i
), fresh AS (
  SELECT x.* FROM input x WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.n = x.n)
), new_contacts AS (
  INSERT INTO contacts (id, display_name, username, locale, created_at, updated_at)
  SELECT new_contact_id, display_name, username, locale, ?::timestamp(3), ?::timestamp(3) FROM fresh
  RETURNING id
), new_identities AS (
  INSERT INTO channel_identities (channel, external_id, contact_id, created_at)
  SELECT f.channel, f.ext_user, f.new_contact_id, ?::timestamp(3) FROM fresh f JOIN new_contacts nc ON nc.id = f.new_contact_id
  ON CONFLICT DO NOTHING
  RETURNING channel, external_id, contact_id
), resolved AS (
  SELECT n, contact_id, false AS created FROM known
  UNION ALL
  SELECT f.n, ni.contact_id, true FROM new_identities ni JOIN fresh f ON f.channel = ni.channel AND f.ext_user = ni.external_id
), inserted AS (
  INSERT INTO interactions (id, contact_id, occurred_at, direction, kind, channel, external_id, dedupe_key, actor, text, data)
  SELECT x.id, r.contact_id, x.occurred_at, 'in', x.kind, x.channel, x.external_id, x.dedupe_key, 'customer', x.text, x.data
  FROM input x JOIN resolved r ON r.n = x.n
  ON CONFLICT DO NOTHING
  RETURNING id
)
SELECT x.n, r.contact_id, COALESCE(r.created, false) AS created, x.new_contact_id,
  CASE WHEN r.created THEN x.display_name ELSE c.display_name END AS display_name,
  CASE WHEN r.created THEN x.username ELSE c.username END AS username,
  COALESCE(c.locale, x.locale) AS locale, COALESCE(c.points, 0) AS points, COALESCE(c.tier, 'novice') AS tier, c.segment, c.attributes, COALESCE(c.unreachable, false) AS unreachable, c.open_ticket_id,
  s.flow_id, s.flow_version, s.step_id, s.variables, s.waiting, s.version,
  EXISTS (SELECT 1 FROM inserted ins WHERE ins.id = x.id) AS fresh, p.id AS prior_id, p.handled AS prior_handled
FROM input x
LEFT JOIN resolved r ON r.n = x.n
LEFT JOIN LATERAL (SELECT * FROM contacts c WHERE c.id = r.contact_id LIMIT 1) c ON true
LEFT JOIN LATERAL (SELECT * FROM conversation_states s WHERE s.contact_id = r.contact_id LIMIT 1) s ON true
LEFT JOIN LATERAL (
  SELECT p.id, EXISTS (SELECT 1 FROM handled_messages h WHERE h.interaction_id = p.id) AS handled
  FROM interactions p WHERE p.id = x.id OR (x.dedupe_key IS NOT NULL AND p.dedupe_key = x.dedupe_key) LIMIT 1
) p ON true
ORDER BY x.n`, JSON.stringify(input), now, now, now);
  return { ...statement, name: "rapport_receive_v8" };
}

/**
 * Commits a batch of turns: each conversation state is written only if its version is still the one
 * the turn read; history rows, the inbound message's handled_messages row, locale and attribute
 * changes, and the turn's outbox rows only for turns that won. Outbox rows are leased to the caller
 * (who sends them right after) unless the contact has an earlier pending message that is not the
 * caller's own; `held` says so per contact. `sent` rows (sent by the dispatcher meanwhile) are
 * marked sent in the same commit, as outboxStatements' markSent does on its own, and `gone` rows
 * (sent, and nothing reads them afterwards) are deleted, as its forgetSent does. Returns the contact
 * ids that won.
 */
export function completeStatement(items: CompleteItem[], now: Date, sent: string[] = [], gone: string[] = []): Statement {
  const states = items.map((i) => ({
    contact_id: i.contactId, flow_id: i.state.flowId, flow_version: i.state.flowVersion, step_id: i.state.stepId,
    variables: JSON.stringify(i.state.variables), waiting: i.state.waiting ? JSON.stringify(i.state.waiting) : null, version: i.state.version + 1,
  }));
  const rows = items.flatMap((i) => i.rows.map((r) => ({
    id: r.id, contact_id: i.contactId, occurred_at: r.occurredAt.toISOString(), direction: r.direction, kind: r.kind, channel: r.channel,
    external_id: r.externalId, dedupe_key: r.dedupeKey, actor: r.actor, flow_id: r.flowId, flow_version: r.flowVersion, step_id: r.stepId,
    text: r.text, data: r.data,
  })));
  const inbound = items.filter((i) => i.inboundId).map((i) => ({ id: i.inboundId, contact_id: i.contactId }));
  const locales = items.filter((i) => i.contactChanges.locale).map((i) => ({ contact_id: i.contactId, locale: i.contactChanges.locale }));
  const attributes = items.filter((i) => i.contactChanges.attributes).map((i) => ({ contact_id: i.contactId, attributes: JSON.stringify(i.contactChanges.attributes) }));
  const outbox = items.flatMap((i) => i.outbox.map((e) => ({
    id: e.id, contact_id: i.contactId, channel: e.to.channel, chat_id: e.to.externalChatId, user_id: e.to.externalUserId, payload: JSON.stringify(e.message),
    interaction_id: e.interactionId, priority: e.priority, source: e.source, lease: i.lease !== null,
  })));
  const lease = items.find((i) => i.lease)?.lease ?? null;
  const statement = sql(`
WITH st AS (
  INSERT INTO conversation_states (contact_id, flow_id, flow_version, step_id, variables, waiting, version, updated_at)
  SELECT x.contact_id, x.flow_id, x.flow_version, x.step_id, x.variables, x.waiting, x.version, ?::timestamp(3)
  FROM json_to_recordset(?::json) AS x(contact_id text, flow_id text, flow_version int, step_id text, variables text, waiting text, version int)
  ON CONFLICT (contact_id) DO UPDATE SET flow_id = excluded.flow_id, flow_version = excluded.flow_version, step_id = excluded.step_id,
    variables = excluded.variables, waiting = excluded.waiting, version = excluded.version, updated_at = excluded.updated_at
  WHERE conversation_states.version = excluded.version - 1
  RETURNING contact_id
), history AS (
  INSERT INTO interactions (id, contact_id, occurred_at, direction, kind, channel, external_id, dedupe_key, actor, flow_id, flow_version, step_id, text, data)
  SELECT r.id, r.contact_id, r.occurred_at, r.direction, r.kind, r.channel, r.external_id, r.dedupe_key, r.actor, r.flow_id, r.flow_version, r.step_id, r.text, r.data
  FROM json_to_recordset(?::json) AS r(id text, contact_id text, occurred_at timestamp(3), direction text, kind text, channel text, external_id text,
    dedupe_key text, actor text, flow_id text, flow_version int, step_id text, text text, data text)
  WHERE r.contact_id IN (SELECT contact_id FROM st)
), handled AS (
  INSERT INTO handled_messages (interaction_id)
  SELECT h.id FROM json_to_recordset(?::json) AS h(id text, contact_id text) WHERE h.contact_id IN (SELECT contact_id FROM st)
  ON CONFLICT DO NOTHING
), locales AS (
  UPDATE contacts c SET locale = l.locale, updated_at = ?::timestamp(3) FROM json_to_recordset(?::json) AS l(contact_id text, locale text)
  WHERE c.id = l.contact_id AND l.contact_id IN (SELECT contact_id FROM st)
), attrs AS (
  -- merged like SQLite's json_patch: a null value removes that attribute
  UPDATE contacts c SET attributes = jsonb_strip_nulls(c.attributes::jsonb || a.attributes::jsonb)::text, updated_at = ?::timestamp(3)
  FROM json_to_recordset(?::json) AS a(contact_id text, attributes text)
  WHERE c.id = a.contact_id AND a.contact_id IN (SELECT contact_id FROM st)
), ob_in AS MATERIALIZED (
  -- leased to the caller unless an earlier message to the contact is pending and not the caller's own
  -- (materialized: inlined, the NOT EXISTS below ran twice per row, once for each CASE in ob)
  SELECT o.*, (o.lease AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.contact_id = o.contact_id AND p.status = 'pending' AND p.priority <= o.priority
    AND (p.lease_owner IS NULL OR p.lease_owner <> ?::text OR p.lease_until < ?::timestamp(3)))) AS leased
  FROM json_to_recordset(?::json) AS o(id text, contact_id text, channel text, chat_id text, user_id text, payload text, interaction_id text,
    priority int, source text, lease boolean)
  WHERE o.contact_id IN (SELECT contact_id FROM st)
), marked AS (
  UPDATE outbox SET status = 'sent', sent_at = ?::timestamp(3), attempts = attempts + 1 WHERE id = ANY(?::text[]) AND status IN ('pending', 'sending', 'held', 'cancelled')
), forgotten AS (
  DELETE FROM outbox WHERE id = ANY(?::text[]) AND status IN ('pending', 'sending', 'held', 'cancelled')
), ob AS (
  INSERT INTO outbox (id, contact_id, channel, chat_id, user_id, payload, interaction_id, priority, status, attempts, next_attempt_at, lease_until, lease_owner, source, created_at)
  SELECT o.id, o.contact_id, o.channel, o.chat_id, o.user_id, o.payload, o.interaction_id, o.priority, 'pending', 0, ?::timestamp(3),
    CASE WHEN o.leased THEN ?::timestamp(3) END, CASE WHEN o.leased THEN ?::text END, o.source, ?::timestamp(3)
  FROM ob_in o
  RETURNING contact_id, lease_owner IS NULL AS held
)
SELECT st.contact_id, EXISTS (SELECT 1 FROM ob WHERE ob.contact_id = st.contact_id AND ob.held) AS held FROM st`,
  now, JSON.stringify(states), JSON.stringify(rows), JSON.stringify(inbound), now, JSON.stringify(locales), now, JSON.stringify(attributes),
  lease?.owner ?? "", now, JSON.stringify(outbox), now, sent, gone, now, lease?.until ?? null, lease?.owner ?? null, now);
  return { ...statement, name: "rapport_complete_v7" };
}

/** Whether a receive row came back resolved to a contact (see receiveStatement). */
export function isResolved(row: Row): boolean {
  return row.contact_id !== null && row.contact_id !== undefined;
}
