import { InvalidFieldError } from "../http/api/errors";
import { checkBody, isBlank } from "../http/api/fieldChecks";
import { itemBody, MAX_ITEMS, parsePurchase, toItem, type ItemRequest, type PurchaseRequest } from "../http/api/purchaseInput";
import type { CsvRecord } from "./csv";

/** The order's columns, as the API names the fields; `occurredAt` may be left out (default: now). */
export const ORDER_COLUMNS = ["customer", "orderId", "amount", "currency", "occurredAt"] as const;
/** The item columns, as the API names an item's fields: with them, each row is one line of an order. */
export const ITEM_COLUMNS = ["sku", "name", "quantity", "unitPrice"] as const;

/** A problem with one line of the file. */
export interface LineProblem { line: number; problem: string }

/**
 * One purchase to record, or why it cannot be: from one row, or (with item columns) from all the
 * rows of one order id. `rows` is how many rows it covers; `line` the first of them.
 */
export type ImportOrder =
  | { line: number; rows: number; request: PurchaseRequest }
  | { line: number; rows: number; problems: LineProblem[] };

type Columns = Map<string, number>;

/**
 * Turns the file's rows into purchases. Without item columns each row is a purchase, as before
 * (a repeated order id is a repeat, recorded in file order). With them, each row is one line of an
 * order, the way shops export orders (Shopify, WooCommerce: one row per line item): rows with the
 * same order id, anywhere in the file, are one purchase, and the order's columns may be left blank
 * on all but one of them (a value repeated must be the same). A bad row rejects its whole order, so
 * an order is never stored without some of its items.
 */
export function ordersOf(rows: CsvRecord[], header: CsvRecord, columns: Columns, now = new Date()): ImportOrder[] {
  const shaped = rows.map((row) => ({ row, problem: shapeProblem(row, header) }));
  if (!ITEM_COLUMNS.some((c) => columns.has(c))) {
    return shaped.map(({ row, problem }) => (problem ? rejected(row.line, 1, [{ line: row.line, problem }]) : single(row, columns, now)));
  }
  const out: ImportOrder[] = [];
  const groups = new Map<string, CsvRecord[]>();
  for (const { row, problem } of shaped) {
    const orderId = row.fields[columns.get("orderId")!]?.trim() ?? "";
    if (problem || orderId === "") {
      out.push(rejected(row.line, 1, [{ line: row.line, problem: problem ?? "orderId: is required" }]));
      continue;
    }
    const group = groups.get(orderId);
    if (group) group.push(row);
    else groups.set(orderId, [row]);
  }
  for (const [orderId, group] of groups) out.push(orderFromRows(orderId, group, columns, now));
  return out.sort((a, b) => a.line - b.line);
}

/**
 * With item columns, the order id whose rows this row joins, or undefined when it stands alone (a
 * malformed row or one without an order id is rejected by itself, as ordersOf does).
 */
export function orderKeyOf(row: CsvRecord, header: CsvRecord, columns: Columns): string | undefined {
  if (shapeProblem(row, header)) return undefined;
  const orderId = row.fields[columns.get("orderId")!]?.trim() ?? "";
  return orderId === "" ? undefined : orderId;
}

function shapeProblem(row: CsvRecord, header: CsvRecord): string | undefined {
  if (row.unterminated) return 'row: a quoted field is not closed (a " is missing)';
  if (row.fields.length !== header.fields.length) return `row: has ${row.fields.length} fields, the header has ${header.fields.length}`;
  return undefined;
}

function single(row: CsvRecord, columns: Columns, now: Date): ImportOrder {
  try {
    return { line: row.line, rows: 1, request: parsePurchase(cells(row, columns, ORDER_COLUMNS), now) };
  } catch (error) {
    if (error instanceof InvalidFieldError) return rejected(row.line, 1, [{ line: row.line, problem: error.message }]);
    throw error;
  }
}

function orderFromRows(orderId: string, rows: CsvRecord[], columns: Columns, now: Date): ImportOrder {
  const problems: LineProblem[] = [];
  const notImported = ` (order ${orderId} not imported)`;
  // Each order field: the first value given on any of the order's rows; others must repeat it or be blank.
  const fields: Record<string, string | undefined> = { orderId };
  const lineOf: Record<string, number> = {};
  for (const name of ORDER_COLUMNS.filter((c) => c !== "orderId" && columns.has(c))) {
    for (const row of rows) {
      const value = row.fields[columns.get(name)!]!;
      if (isBlank(value)) continue;
      if (fields[name] === undefined) { fields[name] = value; lineOf[name] = row.line; continue; }
      if (value.trim() !== fields[name]!.trim()) {
        problems.push({ line: row.line, problem: `${name}: "${value.trim()}" differs from line ${lineOf[name]} ("${fields[name]!.trim()}"); repeat the order's value or leave it blank${notImported}` });
      }
    }
  }
  const items: ItemRequest[] = [];
  for (const row of rows) {
    const cellsOfItem = cells(row, columns, ITEM_COLUMNS);
    if (Object.values(cellsOfItem).every(isBlank)) continue; // an order row without an item
    try {
      items.push(toItem(checkBody(itemBody, cellsOfItem)));
    } catch (error) {
      if (!(error instanceof InvalidFieldError)) throw error;
      problems.push({ line: row.line, problem: `${error.message}${notImported}` });
    }
  }
  if (items.length > MAX_ITEMS) problems.push({ line: rows[0]!.line, problem: `items: the order has ${items.length} item rows; at most ${MAX_ITEMS} are accepted${notImported}` });
  let request: PurchaseRequest | undefined;
  try {
    request = { ...parsePurchase(fields, now), items };
  } catch (error) {
    if (!(error instanceof InvalidFieldError)) throw error;
    problems.push({ line: lineOf[error.field] ?? rows[0]!.line, problem: rows.length > 1 ? `${error.message}${notImported}` : error.message });
  }
  return problems.length > 0 || !request ? rejected(rows[0]!.line, rows.length, problems.sort((a, b) => a.line - b.line)) : { line: rows[0]!.line, rows: rows.length, request };
}

function rejected(line: number, rows: number, problems: LineProblem[]): ImportOrder {
  return { line, rows, problems };
}

/** The row's cells for the given columns, by field name (absent columns left out). */
function cells(row: CsvRecord, columns: Columns, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.filter((n) => columns.has(n)).map((n) => [n, row.fields[columns.get(n)!]!]));
}
