import { newId } from "../core/ids";
import { ContactNotFoundError, type RapportError } from "../core/errors";
import type { Database } from "../db/Database";
import { inListSize, inValues, listPlaceholders, placeholders, sql, type Plan, type Row, type Statement } from "../db/plan";
import { withDbRetry } from "../db/retry";
import { INTERACTION_COLUMNS, interactionValues, type InteractionRow } from "../history/InteractionRow";
import { UnsupportedCurrencyError } from "./errors";
import { announcesPurchase, PURCHASE_RECORDED, purchaseRecordedData } from "./purchaseEvents";
import { OrderConflictError, type PurchaseHooks, type PurchaseInput, type PurchaseResult } from "./Purchases";
import { currencyRate, purchasePoints, tierFor, type LoyaltyRules, type Tier } from "./rules";

/** What became of one purchase of a batch: recorded, a repeat of one recorded before, or refused (the row's fault). */
export type BatchOutcome = { kind: "imported" | "duplicate" } | { kind: "rejected"; error: RapportError };

/** What the batch needs of the purchase book. */
export interface BatchDeps {
  db: Database;
  rules: LoyaltyRules;
  hooks: PurchaseHooks;
  eventsMaxAgeMs: number;
  /** The one-at-a-time path (PurchaseBook.record), for a batch the set-based path leaves to it. */
  recordOne(input: PurchaseInput): Promise<PurchaseResult>;
}

/**
 * Rows per INSERT: full statements of this many rows have one text per table, which SQLite prepares
 * once (a statement of 500 rows took ~4 ms to prepare, each time its row count changed); only the
 * last, shorter one varies. 64 rows × 14 columns stays far under either database's parameter limit.
 */
const ROWS_PER_INSERT = 64;

/** A table the batch inserts into: its columns with their PostgreSQL types (for unnest). */
type Table = { name: string; columns: [string, "text" | "int" | "timestamp(3)"][] };
const PURCHASES_TABLE: Table = { name: "purchases", columns: [["id", "text"], ["contact_id", "text"], ["order_id", "text"], ["amount_minor", "int"], ["currency", "text"],
  ["refunded_minor", "int"], ["points_awarded", "int"], ["occurred_at", "timestamp(3)"], ["created_at", "timestamp(3)"]] };
const ITEMS_TABLE: Table = { name: "purchase_items", columns: [["purchase_id", "text"], ["position", "int"], ["sku", "text"], ["name", "text"], ["quantity", "int"], ["unit_price_minor", "int"]] };
const LEDGER_TABLE: Table = { name: "ledger_entries", columns: [["id", "text"], ["contact_id", "text"], ["kind", "text"], ["points", "int"], ["remaining", "int"], ["reason", "text"],
  ["source", "text"], ["idempotency_key", "text"], ["expires_at", "timestamp(3)"], ["reverses_id", "text"], ["created_at", "timestamp(3)"]] };
const HISTORY_TABLE: Table = { name: "interactions", columns: INTERACTION_COLUMNS.map((c) => [c, c === "occurred_at" ? "timestamp(3)" : c === "flow_version" ? "int" : "text"]) };
const JOBS_TABLE: Table = { name: "scheduled_jobs", columns: [["id", "text"], ["kind", "text"], ["contact_id", "text"], ["name", "text"], ["data", "text"], ["due_at", "timestamp(3)"],
  ["status", "text"], ["attempts", "int"], ["idempotency_key", "text"], ["created_at", "timestamp(3)"]] };

/** The event a tier change raises (app/events.ts). */
const TIER_CHANGED = "loyalty.tier_changed";
const JOB_COLUMNS = ["id", "kind", "contact_id", "name", "data", "due_at", "status", "attempts", "idempotency_key", "created_at"];

/** A contact as the batch's transaction reads it and then moves it along, order by order. */
interface ContactState { tier: Tier; points: number; lifetime: number; purchases?: number; touched: boolean }

/** An order id the batch knows: stored before, or new earlier in the batch. */
interface Known { purchaseId: string; contactId: string; amountMinor: number; currency: string; incomplete: boolean }

interface Computed {
  outcomes: BatchOutcome[];
  /** The purchase each recorded or repeated order is (for the purchase hooks), by input index. */
  purchaseIds: (string | undefined)[];
  /** The set-based path cannot reproduce the one-at-a-time result exactly (an order stored before its award): nothing was written. */
  fallback: boolean;
}

/**
 * Records many purchases with a few set-based statements in one transaction, with exactly the
 * rows PurchaseBook.record writes for each of them one at a time (`rapport purchases import`,
 * issue 17: ~12 ORM statements a row capped it near 100 rows/s). Inputs are taken in order: the
 * first of two with one order id is recorded and the second is its repeat or conflict; each
 * contact's tier, balance and "first purchase" move along from one of its orders to the next.
 * Contacts are locked for the transaction (PostgreSQL: FOR UPDATE, in id order; SQLite: the write
 * lock), so a bot awarding points meanwhile waits a moment rather than losing an update. After
 * commit the purchase hooks run, as after each single record. One difference, on purpose: a tier
 * change raises `loyalty.tier_changed` as stored work in the transaction (keyed by its ledger
 * entry) rather than running the flow in this process at once, which in `rapport purchases
 * import` had no channel to send the congratulation on, and cost more than the import itself.
 * A batch the set-based path cannot do exactly (another writer stored one of its order ids first,
 * an order stored before its award) goes through `recordOne`, one purchase at a time.
 */
export async function recordPurchases(deps: BatchDeps, inputs: PurchaseInput[]): Promise<BatchOutcome[]> {
  if (inputs.length === 0) return [];
  let computed: Computed;
  try {
    computed = await withDbRetry(() => deps.db.run(batchPlan(deps, inputs, new Date())));
  } catch (error) {
    if (!isRawUniqueViolation(error)) throw error;
    return recordEach(deps, inputs);
  }
  if (computed.fallback) return recordEach(deps, inputs);
  await runHooks(deps.hooks, inputs, computed);
  return computed.outcomes;
}

/** The purchase hooks, for the contacts they watch (all, when the hooks cannot say), in input order. */
async function runHooks(hooks: PurchaseHooks, inputs: PurchaseInput[], computed: Computed): Promise<void> {
  if (!hooks.afterPurchase) return;
  const contactIds = [...new Set(inputs.filter((_, n) => computed.purchaseIds[n]).map((i) => i.contactId))];
  const watched = hooks.watching ? await hooks.watching(contactIds) : new Set(contactIds);
  for (const [n, input] of inputs.entries()) {
    const purchaseId = computed.purchaseIds[n];
    if (purchaseId && watched.has(input.contactId)) await hooks.afterPurchase(input.contactId, purchaseId);
  }
}

/** One at a time, as before: the rows' faults become outcomes, anything else stops the batch. */
async function recordEach(deps: BatchDeps, inputs: PurchaseInput[]): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = [];
  for (const input of inputs) {
    try {
      outcomes.push({ kind: (await deps.recordOne(input)).duplicate ? "duplicate" : "imported" });
    } catch (error) {
      if (error instanceof OrderConflictError || error instanceof UnsupportedCurrencyError || error instanceof ContactNotFoundError) outcomes.push({ kind: "rejected", error });
      else throw error;
    }
  }
  return outcomes;
}

function* batchPlan(deps: BatchDeps, inputs: PurchaseInput[], now: Date): Plan<Computed> {
  const { rules } = deps;
  const pg = deps.db.dialect === "postgresql";
  const orderIds = [...new Set(inputs.map((i) => i.orderId))];
  const contactIds = [...new Set(inputs.map((i) => i.contactId))].sort();
  const stored: Row[] = yield sql(
    `SELECT p.id, p.order_id, p.contact_id, p.amount_minor, p.currency, p.points_awarded, l.id AS entry_id
     FROM purchases p LEFT JOIN ledger_entries l ON l.idempotency_key = 'purchase:' || p.order_id
     WHERE ${inList("p.order_id", orderIds.length, pg)}`, ...listParams(orderIds, pg));
  const known = new Map<string, Known>(stored.map((r) => [String(r.order_id), {
    purchaseId: String(r.id), contactId: String(r.contact_id), amountMinor: Number(r.amount_minor), currency: String(r.currency),
    incomplete: Number(r.points_awarded) > 0 && (r.entry_id === null || r.entry_id === undefined),
  }]));
  // The contacts' rows, locked in id order (two imports at once cannot deadlock on them).
  const contactRows: Row[] = yield sql(`SELECT id, tier, points, lifetime_points FROM contacts WHERE ${inList("id", contactIds.length, pg)} ORDER BY id${pg ? " FOR UPDATE" : ""}`, ...listParams(contactIds, pg));
  const contacts = new Map<string, ContactState>(contactRows.map((r) => [String(r.id), { tier: r.tier as Tier, points: Number(r.points), lifetime: Number(r.lifetime_points), touched: false }]));

  const computed: Computed = { outcomes: [], purchaseIds: [], fallback: false };
  const fresh: { n: number; input: PurchaseInput; currency: string; contact: ContactState }[] = [];
  for (const [n, input] of inputs.entries()) {
    const currency = input.currency.toUpperCase();
    const prior = known.get(input.orderId);
    if (prior) {
      if (prior.contactId !== input.contactId || prior.amountMinor !== input.amountMinor || prior.currency !== currency) {
        computed.outcomes[n] = { kind: "rejected", error: new OrderConflictError(input.orderId, "was already recorded for another customer, amount or currency; send a new order id") };
        continue;
      }
      if (prior.incomplete) return { ...computed, fallback: true };
      computed.outcomes[n] = { kind: "duplicate" };
      computed.purchaseIds[n] = prior.purchaseId;
      continue;
    }
    if (currencyRate(rules, currency) === undefined) {
      computed.outcomes[n] = { kind: "rejected", error: new UnsupportedCurrencyError(currency, Object.keys(rules.currencies)) };
      continue;
    }
    const contact = contacts.get(input.contactId);
    if (!contact) {
      computed.outcomes[n] = { kind: "rejected", error: new ContactNotFoundError(input.contactId) };
      continue;
    }
    const purchaseId = newId();
    known.set(input.orderId, { purchaseId, contactId: input.contactId, amountMinor: input.amountMinor, currency, incomplete: false });
    computed.outcomes[n] = { kind: "imported" };
    computed.purchaseIds[n] = purchaseId;
    fresh.push({ n, input, currency, contact });
  }
  if (fresh.length === 0) return computed;

  const maxAge = deps.eventsMaxAgeMs;
  const announced = fresh.map((f) => announcesPurchase(f.input.occurredAt, now, maxAge));
  // "First purchase" needs the count of the contact's earlier purchases; only announced orders say it.
  const counted = [...new Set(fresh.filter((_, k) => announced[k]).map((f) => f.input.contactId))];
  if (counted.length > 0) {
    const counts: Row[] = yield sql(`SELECT contact_id, COUNT(*) AS n FROM purchases WHERE ${inList("contact_id", counted.length, pg)} GROUP BY contact_id`, ...listParams(counted, pg));
    for (const id of counted) contacts.get(id)!.purchases = 0;
    for (const r of counts) contacts.get(String(r.contact_id))!.purchases = Number(r.n);
  }

  const purchases: unknown[][] = [], items: unknown[][] = [], ledger: unknown[][] = [], history: InteractionRow[] = [], jobs: unknown[][] = [];
  const expiresAt = rules.expiry.after_days > 0 ? new Date(now.getTime() + rules.expiry.after_days * 86_400_000) : null;
  const event = (contactId: string, kind: string, text: string, data: Record<string, unknown>, occurredAt = now): InteractionRow => ({
    id: newId(), contactId, occurredAt, direction: "event", kind, channel: null, externalId: null, dedupeKey: null, actor: "system",
    flowId: null, flowVersion: null, stepId: null, text, data: JSON.stringify(data),
  });
  for (const [k, { n, input, currency, contact: c }] of fresh.entries()) {
    const { contactId, orderId, amountMinor, occurredAt } = input;
    const points = purchasePoints(rules, amountMinor, c.tier, currency);
    const purchaseId = computed.purchaseIds[n]!;
    purchases.push([purchaseId, contactId, orderId, amountMinor, currency, 0, points, occurredAt, now]);
    const orderItems = input.items ?? [];
    orderItems.forEach((item, position) => items.push([purchaseId, position, item.sku, item.name, item.quantity, item.unitPriceMinor]));
    if (points > 0) {
      // What Ledger.postIn writes for an earn entry (Ledger.apply), the contact moved along in memory.
      const entryId = newId();
      const key = `purchase:${orderId}`;
      ledger.push([entryId, contactId, "earn", points, points, `order ${orderId}`, "purchase", key, expiresAt, null, now]);
      c.points += points;
      c.lifetime += points;
      c.touched = true;
      const tier = tierFor(rules, c.lifetime);
      if (tier !== c.tier) {
        history.push(event(contactId, "loyalty.tier_changed", `${c.tier} → ${tier}`, { from: c.tier, to: tier, lifetimePoints: c.lifetime }));
        // The event as stored work, like purchase.recorded: the running bot tells the customer (this
        // process may have no channel), once, and a crash cannot lose it. The data is createApp's.
        jobs.push([newId(), "event", contactId, TIER_CHANGED, JSON.stringify({ tier, from: c.tier, multiplier: rules.tiers[tier].multiplier }), now, "pending", 0, `tier:${entryId}`, now]);
        c.tier = tier;
      }
      history.push(event(contactId, "points.earn", `order ${orderId}`, { entryId, points, balance: c.points, source: "purchase", key, orderId }));
    }
    history.push(event(contactId, "purchase", `order ${orderId}`,
      { orderId, amountMinor, currency, points, ...(orderItems.length ? { items: orderItems.length } : {}), announced: announced[k] }, occurredAt));
    if (announced[k]) {
      const data = purchaseRecordedData({ orderId, amountMinor, currency, occurredAt, points, balance: c.points, tier: c.tier, lifetimePoints: c.lifetime,
        firstPurchase: c.purchases === 0, items: orderItems }, rules);
      jobs.push([newId(), "event", contactId, PURCHASE_RECORDED, JSON.stringify(data), now, "pending", 0, `purchase:${orderId}:recorded`, now]);
    }
    if (c.purchases !== undefined) c.purchases++;
  }
  const insert = pg ? insertColumns : insertRows;
  yield* insert(PURCHASES_TABLE, purchases);
  yield* insert(ITEMS_TABLE, items);
  yield* insert(LEDGER_TABLE, ledger);
  yield* insert(HISTORY_TABLE, history.map(interactionValues));
  yield* insert(JOBS_TABLE, jobs);
  const touched = [...contacts.entries()].filter(([, c]) => c.touched);
  if (pg && touched.length > 0) {
    yield sql(`UPDATE contacts AS c SET points = v.points, lifetime_points = v.lifetime, tier = v.tier, updated_at = ?
      FROM unnest(?::text[], ?::int[], ?::int[], ?::text[]) AS v(id, points, lifetime, tier) WHERE c.id = v.id`,
      now, touched.map(([id]) => id), touched.map(([, c]) => c.points), touched.map(([, c]) => c.lifetime), touched.map(([, c]) => c.tier));
  } else {
    for (const [id, c] of touched) yield sql(`UPDATE contacts SET points = ?, lifetime_points = ?, tier = ?, updated_at = ? WHERE id = ?`, c.points, c.lifetime, c.tier, now, id);
  }
  return computed;
}

/** SQLite: multi-row INSERTs of ROWS_PER_INSERT rows (the last one fewer). */
function* insertRows(table: Table, rows: unknown[][]): Generator<Statement, void, Row[]> {
  const columns = table.columns.map(([c]) => c);
  // The tail under ROWS_PER_INSERT goes in power-of-two parts (37 = 32 + 4 + 1): a few statement
  // texts per table rather than one per remainder, each a prepared statement kept in the cache.
  for (let start = 0; start < rows.length;) {
    const left = rows.length - start;
    const part = rows.slice(start, start + (left >= ROWS_PER_INSERT ? ROWS_PER_INSERT : 2 ** Math.floor(Math.log2(left))));
    start += part.length;
    const params: unknown[] = [];
    for (const row of part) for (const value of row) params.push(value);
    yield { sql: `INSERT INTO ${table.name} (${columns.join(", ")}) VALUES ${placeholders(part.length, columns.length)}`, params };
  }
}

/**
 * PostgreSQL: one INSERT … SELECT FROM unnest(arrays) per table, whatever the number of rows: each
 * statement is a round trip, and a chunk's dozens of them cost more than the rows (times are passed
 * as ISO text, stored as UTC wall time like every timestamp(3) column).
 */
function* insertColumns(table: Table, rows: unknown[][]): Generator<Statement, void, Row[]> {
  if (rows.length === 0) return;
  const params = table.columns.map(([, type], i) => rows.map((row) => {
    const v = row[i];
    return type === "timestamp(3)" && v instanceof Date ? v.toISOString() : (v ?? null);
  }));
  const columns = table.columns.map(([c]) => c).join(", ");
  const arrays = table.columns.map(([, type]) => `?::${type}[]`).join(", ");
  yield { sql: `INSERT INTO ${table.name} (${columns}) SELECT * FROM unnest(${arrays})`, params };
}

/**
 * `column IN (?, ?, …)`, the list padded to a few lengths (inValues); on PostgreSQL
 * `column = ANY(?::text[])`, one parameter and one statement text whatever the count.
 */
function inList(column: string, n: number, pg: boolean): string {
  return pg ? `${column} = ANY(?::text[])` : `${column} IN (${listPlaceholders(inListSize(n))})`;
}

function listParams(values: string[], pg: boolean): unknown[] {
  return pg ? [values] : inValues(values);
}

/** A unique index refused a row, as the drivers report it underneath Prisma (better-sqlite3, pg). */
function isRawUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505";
}
