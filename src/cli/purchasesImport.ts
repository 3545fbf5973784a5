import { Progress } from "./progress";
import { existsSync, statSync } from "node:fs";
import type { App } from "../app/createApp";
import { ContactNotFoundError, PathNotFoundError, RapportError } from "../core/errors";
import { resolveContactIds } from "../history/resolveContactIds";
import { readCsv, type CsvRecord } from "./csv";
import { ITEM_COLUMNS, ORDER_COLUMNS, ordersOf, type ImportOrder, type LineProblem } from "./importOrders";
import { OrderGroups } from "./orderGroups";
import { OrderConflictError, PURCHASES } from "../loyalty/Purchases";
import type { BatchOutcome } from "../loyalty/recordPurchases";

/** The columns the header is matched against: the order's, then the optional item columns. */
const IMPORT_COLUMNS = [...ORDER_COLUMNS, ...ITEM_COLUMNS] as const;
const REQUIRED = ORDER_COLUMNS.slice(0, 4);
const MAX_LISTED = 50;
/** Orders per transaction: large enough that statements are few, small enough that a running bot waits only a moment for its locks. */
const CHUNK = 500;
/** Customer references remembered across chunks (a shop's regulars), cleared when this many. */
const MAX_CACHED_CONTACTS = 100_000;

/** The import file as a whole cannot be read (no usable header). Rows with problems are not this: they are listed. */
export class ImportFileError extends RapportError {
  readonly code = "rapport_import_invalid";
  constructor(readonly file: string, readonly line: number, problem: string) {
    super(`${file}:${line}: ${problem}`);
  }
}

/** Where the import writes: the summary to `stdout`, the progress to `stderr` (a bar on a TTY). */
export interface ImportIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * `rapport purchases import <file.csv>`: records each row (or, with the item columns
 * sku,name,quantity,unitPrice, each order's rows: importOrders.ts) through the same validation and
 * PurchaseBook as `POST /api/v1/purchases`, so a re-import only counts duplicates. Good orders are
 * imported even when others are rejected; the exit status is 1 when any was rejected, so a script
 * notices. The file is read and its header checked before the database is opened.
 *
 * Issue 17: the file is streamed, never held whole (with item columns, its rows wait in a scratch
 * file until each order is complete: orderGroups.ts), and orders are recorded CHUNK at a time by
 * PurchaseBook.recordMany, a few set-based statements per chunk with the same rows and outcomes as
 * one record() per order in file order. Memory stays flat on a file of a million rows.
 */
export async function runPurchasesImport(file: string, openApp: () => Promise<App>, io: ImportIo): Promise<number> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new PathNotFoundError(file);
  const header = await readHeader(file);
  if (!header) throw new ImportFileError(file, 1, `the file is empty; the first line must name the columns: ${ORDER_COLUMNS.join(",")}`);
  const columns = columnIndexes(file, header);
  const byOrder = ITEM_COLUMNS.some((c) => columns.has(c));
  const now = new Date();
  const groups = byOrder ? await OrderGroups.fromFile(file, header, columns) : undefined;
  try {
    const total = groups ? groups.count : await countRows(file);
    const batches = groups ? ordersOfGroups(groups, header, columns, now) : ordersOfRows(file, header, columns, now);
    return await importOrders(file, batches, total, byOrder ? "orders" : "rows", openApp, io);
  } finally {
    groups?.close();
  }
}

/** Records the orders a chunk at a time, then prints the summary and the first rejected lines. */
async function importOrders(file: string, batches: AsyncIterable<ImportOrder[]>, total: number, unit: string, openApp: () => Promise<App>, io: ImportIo): Promise<number> {
  const app = await openApp();
  const counts = { imported: 0, duplicates: 0 };
  const rejected = new RejectedLines(MAX_LISTED);
  let rejectedCount = 0;
  const progress = new Progress(io.stderr, total, "purchases import", unit);
  const contacts = new Map<string, string>(); // customer reference → contact id, bounded below
  const book = app.services.get(PURCHASES);
  const chunks = chunksOf(batches, CHUNK);
  let ahead: Promise<IteratorResult<ImportOrder[]>> | undefined;
  try {
    // The next chunk is read and checked while this one is written (PostgreSQL: while we wait for it).
    ahead = chunks.next();
    for (let step = await ahead; !step.done; step = await ahead) {
      const chunk = step.value;
      ahead = chunks.next();
      const good = chunk.filter((o): o is Extract<ImportOrder, { request: unknown }> => "request" in o);
      const unknown = good.map((o) => o.request.customer).filter((c) => !contacts.has(c));
      if (contacts.size + unknown.length > MAX_CACHED_CONTACTS) contacts.clear();
      for (const [reference, id] of await resolveContactIds(app.db, unknown)) contacts.set(reference, id);
      const resolvable = good.filter((o) => contacts.has(o.request.customer));
      const outcomes = await book.recordMany(resolvable.map(({ request: r }) => ({
        contactId: contacts.get(r.customer)!, orderId: r.orderId, amountMinor: r.amountMinor, currency: r.currency, occurredAt: r.occurredAt, items: r.items,
      })));
      // Tier changes start their flows (the congratulation) in the background: let a chunk's finish
      // before the next, so memory holds one chunk's worth however many customers move up.
      await app.engine.idle();
      const outcomeOf = new Map(resolvable.map((o, n) => [o, outcomes[n]!]));
      for (const order of chunk) {
        if ("problems" in order) {
          rejected.add(order.problems);
          rejectedCount++;
        } else {
          const outcome: BatchOutcome = outcomeOf.get(order) ?? { kind: "rejected", error: new ContactNotFoundError(order.request.customer) };
          if (outcome.kind === "rejected") { rejected.add([{ line: order.line, problem: rowProblem(outcome.error) }]); rejectedCount++; }
          else counts[outcome.kind === "duplicate" ? "duplicates" : "imported"]++;
        }
        progress.tick();
      }
    }
  } finally {
    // Stopped by a failure: the chunk read ahead is not wanted, and the file is let go.
    await ahead?.catch(() => undefined);
    await chunks.return(undefined).catch(() => undefined);
    progress.done();
    await app.close();
  }
  const listed = rejected.first().map((r) => `${file}:${r.line}: ${r.problem}`);
  if (rejected.total > MAX_LISTED) listed.push(`… and ${rejected.total - MAX_LISTED} more`);
  io.stdout.write([`imported ${counts.imported}, duplicates ${counts.duplicates}, rejected ${rejectedCount}`, ...listed].join("\n") + "\n");
  return rejectedCount === 0 ? 0 : 1;
}

/**
 * The lowest `keep` lines of all problems added, and how many there were: bounded memory however
 * many rows are rejected (problems arrive nearly, not exactly, in line order).
 */
class RejectedLines {
  private lines: LineProblem[] = [];
  total = 0;
  constructor(private readonly keep: number) {}

  add(problems: LineProblem[]): void {
    this.total += problems.length;
    this.lines.push(...problems);
    if (this.lines.length > 20 * this.keep) this.lines = this.first();
  }

  first(): LineProblem[] {
    return this.lines.sort((x, y) => x.line - y.line).slice(0, this.keep);
  }
}

/** The header: the file's first record, read without reading the rest. */
async function readHeader(file: string): Promise<CsvRecord | undefined> {
  for await (const records of readCsv(file)) return records[0];
  return undefined;
}

/** How many rows follow the header: a first pass over the file, for the progress bar's total. */
async function countRows(file: string): Promise<number> {
  let n = 0;
  for await (const records of readCsv(file)) n += records.length;
  return Math.max(n - 1, 0);
}

// The orders travel in arrays (a piece of the file's rows, CHUNK groups), not one by one: an async
// generator's yield costs a few promises, and per row they were much of what the import allocated
// (issue 17: that garbage, promoted, is what grew the process's memory).

/** Without item columns: each row is an order, checked as it streams by, a piece of the file at a time. */
async function* ordersOfRows(file: string, header: CsvRecord, columns: Map<string, number>, now: Date): AsyncGenerator<ImportOrder[]> {
  let first = true;
  for await (const records of readCsv(file)) {
    const rows = first ? records.slice(1) : records;
    first = false;
    yield ordersOf(rows, header, columns, now);
  }
}

/** With item columns: each group of rows (one order id, or a row that stands alone) is an order. */
async function* ordersOfGroups(groups: OrderGroups, header: CsvRecord, columns: Map<string, number>, now: Date): AsyncGenerator<ImportOrder[]> {
  let batch: ImportOrder[] = [];
  for (const group of groups.groups()) {
    for (const order of ordersOf(group, header, columns, now)) batch.push(order);
    if (batch.length >= CHUNK) { yield batch; batch = []; }
  }
  if (batch.length > 0) yield batch;
}

/** The items of `batches`, in order, re-cut into arrays of `size` (the last one shorter). */
async function* chunksOf<T>(batches: AsyncIterable<T[]>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const batch of batches) {
    for (const item of batch) {
      chunk.push(item);
      if (chunk.length >= size) { yield chunk; chunk = []; }
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** `<field>: <problem>` for an error that is the row's fault. */
function rowProblem(error: RapportError): string {
  if (error instanceof ContactNotFoundError) return `customer: ${error.message}`;
  if (error instanceof OrderConflictError) return `orderId: ${error.message}`;
  return error.message;
}

/** Column name → index, matched case-insensitively; every required column must be present, once. */
function columnIndexes(file: string, header: CsvRecord): Map<string, number> {
  const found = new Map<string, number>();
  header.fields.forEach((raw, i) => {
    const name = IMPORT_COLUMNS.find((c) => c.toLowerCase() === raw.trim().toLowerCase());
    if (!name) return; // extra columns (notes, the shop's own ids) are ignored
    if (found.has(name)) throw new ImportFileError(file, header.line, `column "${name}" appears twice in the header`);
    found.set(name, i);
  });
  const missing = REQUIRED.filter((c) => !found.has(c));
  if (missing.length > 0) throw new ImportFileError(file, header.line, `the header lacks ${missing.join(", ")}; expected the columns ${ORDER_COLUMNS.join(",")} (occurredAt optional, any order)`);
  const items = ITEM_COLUMNS.filter((c) => found.has(c));
  if (items.length > 0 && items.length < ITEM_COLUMNS.length) {
    throw new ImportFileError(file, header.line, `the header has ${items.join(", ")} but lacks ${ITEM_COLUMNS.filter((c) => !found.has(c)).join(", ")}; items need all of ${ITEM_COLUMNS.join(",")} (one row per item)`);
  }
  return found;
}
