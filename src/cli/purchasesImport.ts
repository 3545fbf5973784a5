import { Progress } from "./progress";
import { existsSync, readFileSync, statSync } from "node:fs";
import type { App } from "../app/createApp";
import { ContactNotFoundError, PathNotFoundError, RapportError } from "../core/errors";
import { resolveContactId } from "../history/timeline";
import { InvalidFieldError } from "../http/api/errors";
import type { PurchaseRequest } from "../http/api/purchaseInput";
import { parseCsv, type CsvRecord } from "./csv";
import { ITEM_COLUMNS, ORDER_COLUMNS, ordersOf, type LineProblem } from "./importOrders";
import { UnsupportedCurrencyError } from "../loyalty/errors";
import { OrderConflictError, PURCHASES } from "../loyalty/Purchases";

/** The columns the header is matched against: the order's, then the optional item columns. */
const IMPORT_COLUMNS = [...ORDER_COLUMNS, ...ITEM_COLUMNS] as const;
const REQUIRED = ORDER_COLUMNS.slice(0, 4);
const MAX_LISTED = 50;
const CONCURRENCY = 4;

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
 */
export async function runPurchasesImport(file: string, openApp: () => Promise<App>, io: ImportIo): Promise<number> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new PathNotFoundError(file);
  const [header, ...rows] = parseCsv(readFileSync(file, "utf8"));
  if (!header) throw new ImportFileError(file, 1, `the file is empty; the first line must name the columns: ${ORDER_COLUMNS.join(",")}`);
  const columns = columnIndexes(file, header);
  const byOrder = ITEM_COLUMNS.some((c) => columns.has(c));
  const orders = ordersOf(rows, header, columns);
  const app = await openApp();
  const counts = { imported: 0, duplicates: 0 };
  const rejected: LineProblem[] = [];
  let rejectedCount = 0;
  const progress = new Progress(io.stderr, orders.length, "purchases import", byOrder ? "orders" : "rows");
  const contacts = new Map<string, Promise<string>>(); // customer reference → contact id, looked up once
  const running = new Map<string, Promise<unknown>>(); // rows of one order id run in file order: the later one is the duplicate
  const importOrder = (input: PurchaseRequest): Promise<boolean> => {
    const earlier = running.get(input.orderId);
    const done = (async () => {
      await earlier?.catch(() => undefined);
      if (!contacts.has(input.customer)) contacts.set(input.customer, resolveContactId(app.db, input.customer));
      const contactId = await contacts.get(input.customer)!;
      const result = await app.services.get(PURCHASES).record({ contactId, orderId: input.orderId, amountMinor: input.amountMinor, currency: input.currency, occurredAt: input.occurredAt, items: input.items });
      return result.duplicate;
    })();
    running.set(input.orderId, done);
    return done.finally(() => { if (running.get(input.orderId) === done) running.delete(input.orderId); });
  };
  let next = 0;
  let failure: { error: unknown } | undefined;
  // A few orders at a time hide the database's round trips; the ledger keeps per-contact totals exact.
  const worker = async () => {
    while (!failure && next < orders.length) {
      const order = orders[next++]!;
      if ("problems" in order) {
        rejected.push(...order.problems);
        rejectedCount++;
      } else {
        try {
          counts[(await importOrder(order.request)) ? "duplicates" : "imported"]++;
        } catch (error) {
          const problem = rowProblem(error);
          if (problem) { rejected.push({ line: order.line, problem }); rejectedCount++; }
          else failure ??= { error }; // the database, not the row: stop rather than reject every row after it
        }
      }
      progress.tick();
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    progress.done();
    await app.close();
  }
  if (failure) throw failure.error;
  rejected.sort((x, y) => x.line - y.line);
  const listed = rejected.slice(0, MAX_LISTED).map((r) => `${file}:${r.line}: ${r.problem}`);
  if (rejected.length > MAX_LISTED) listed.push(`… and ${rejected.length - MAX_LISTED} more`);
  io.stdout.write([`imported ${counts.imported}, duplicates ${counts.duplicates}, rejected ${rejectedCount}`, ...listed].join("\n") + "\n");
  return rejectedCount === 0 ? 0 : 1;
}

/** `<field>: <problem>` for an error that is the row's fault, undefined for anything else. */
function rowProblem(error: unknown): string | undefined {
  if (error instanceof InvalidFieldError) return error.message;
  if (error instanceof ContactNotFoundError) return `customer: ${error.message}`;
  if (error instanceof OrderConflictError) return `orderId: ${error.message}`;
  if (error instanceof UnsupportedCurrencyError) return error.message;
  return undefined;
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
