import { newId } from "../core/ids";
import { ContactNotFoundError, type RapportError } from "../core/errors";
import type { Database } from "../db/Database";
import { placeholders, sql, type Plan, type Row, type Statement } from "../db/plan";
import { withDbRetry } from "../db/retry";
import { INTERACTION_COLUMNS, interactionValues, type InteractionRow } from "../history/InteractionRow";
import { UnsupportedCurrencyError } from "./errors";
import type { Ledger } from "./Ledger";
import { announcesPurchase, PURCHASE_RECORDED, purchaseRecordedData } from "./purchaseEvents";
import { OrderConflictError, type PurchaseHooks, type PurchaseInput, type PurchaseResult } from "./Purchases";
import { currencyRate, purchasePoints, tierFor, type LoyaltyRules, type Tier } from "./rules";

/** What became of one purchase of a batch: recorded, a repeat of one recorded before, or refused (the row's fault). */
export type BatchOutcome = { kind: "imported" | "duplicate" } | { kind: "rejected"; error: RapportError };

/** What the batch needs of the purchase book. */
export interface BatchDeps {
  db: Database;
  ledger: Ledger;
  rules: LoyaltyRules;
  hooks: PurchaseHooks;
  eventsMaxAgeMs: number;
  /** The one-at-a-time path (PurchaseBook.record), for a batch the set-based path leaves to it. */
  recordOne(input: PurchaseInput): Promise<PurchaseResult>;
}

/** Parameters per statement: under SQLite's limit (32,766) and PostgreSQL's (65,535). */
const MAX_PARAMS = 30_000;

const PURCHASE_COLUMNS = ["id", "contact_id", "order_id", "amount_minor", "currency", "refunded_minor", "points_awarded", "occurred_at", "created_at"];
const ITEM_COLUMNS = ["purchase_id", "position", "sku", "name", "quantity", "unit_price_minor"];
const LEDGER_COLUMNS = ["id", "contact_id", "kind", "points", "remaining", "reason", "source", "idempotency_key", "expires_at", "reverses_id", "created_at"];
const JOB_COLUMNS = ["id", "kind", "contact_id", "name", "data", "due_at", "status", "attempts", "idempotency_key", "created_at"];

/** A contact as the batch's transaction reads it and then moves it along, order by order. */
interface ContactState { tier: Tier; points: number; lifetime: number; purchases?: number; touched: boolean }

/** An order id the batch knows: stored before, or new earlier in the batch. */
interface Known { purchaseId: string; contactId: string; amountMinor: number; currency: string; incomplete: boolean }

interface Computed {
  outcomes: BatchOutcome[];
  /** The purchase each recorded or repeated order is (for the purchase hooks), by input index. */
  purchaseIds: (string | undefined)[];
  tierChanges: { contactId: string; from: Tier; to: Tier }[];
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
 * commit, tier changes are announced and the purchase hooks run, as after each single record.
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
  for (const t of computed.tierChanges) {
    deps.ledger.announce(t.contactId, { duplicate: false, tierChange: { from: t.from, to: t.to } });
  }
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
     WHERE p.order_id IN (${marks(orderIds.length)})`, ...orderIds);
  const known = new Map<string, Known>(stored.map((r) => [String(r.order_id), {
    purchaseId: String(r.id), contactId: String(r.contact_id), amountMinor: Number(r.amount_minor), currency: String(r.currency),
    incomplete: Number(r.points_awarded) > 0 && (r.entry_id === null || r.entry_id === undefined),
  }]));
  // The contacts' rows, locked in id order (two imports at once cannot deadlock on them).
  const contactRows: Row[] = yield sql(`SELECT id, tier, points, lifetime_points FROM contacts WHERE id IN (${marks(contactIds.length)}) ORDER BY id${pg ? " FOR UPDATE" : ""}`, ...contactIds);
  const contacts = new Map<string, ContactState>(contactRows.map((r) => [String(r.id), { tier: r.tier as Tier, points: Number(r.points), lifetime: Number(r.lifetime_points), touched: false }]));

  const computed: Computed = { outcomes: [], purchaseIds: [], tierChanges: [], fallback: false };
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
    const counts: Row[] = yield sql(`SELECT contact_id, COUNT(*) AS n FROM purchases WHERE contact_id IN (${marks(counted.length)}) GROUP BY contact_id`, ...counted);
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
        computed.tierChanges.push({ contactId, from: c.tier, to: tier });
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
  yield* insertRows("purchases", PURCHASE_COLUMNS, purchases);
  yield* insertRows("purchase_items", ITEM_COLUMNS, items);
  yield* insertRows("ledger_entries", LEDGER_COLUMNS, ledger);
  yield* insertRows("interactions", INTERACTION_COLUMNS, history.map(interactionValues));
  yield* insertRows("scheduled_jobs", JOB_COLUMNS, jobs);
  const touched = [...contacts.entries()].filter(([, c]) => c.touched);
  if (pg && touched.length > 0) {
    yield sql(`UPDATE contacts AS c SET points = v.points, lifetime_points = v.lifetime, tier = v.tier, updated_at = ?
      FROM (VALUES ${touched.map(() => "(?::text, ?::int, ?::int, ?::text)").join(", ")}) AS v(id, points, lifetime, tier) WHERE c.id = v.id`,
      now, ...touched.flatMap(([id, c]) => [id, c.points, c.lifetime, c.tier]));
  } else {
    for (const [id, c] of touched) yield sql(`UPDATE contacts SET points = ?, lifetime_points = ?, tier = ?, updated_at = ? WHERE id = ?`, c.points, c.lifetime, c.tier, now, id);
  }
  return computed;
}

/** Multi-row INSERTs of at most MAX_PARAMS parameters each. */
function* insertRows(table: string, columns: readonly string[], rows: unknown[][]): Generator<Statement, void, Row[]> {
  const per = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  for (let start = 0; start < rows.length; start += per) {
    const part = rows.slice(start, start + per);
    yield sql(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${placeholders(part.length, columns.length)}`, ...part.flat());
  }
}

function marks(n: number): string {
  return Array(n).fill("?").join(", ");
}

/** A unique index refused a row, as the drivers report it underneath Prisma (better-sqlite3, pg). */
function isRawUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505";
}
