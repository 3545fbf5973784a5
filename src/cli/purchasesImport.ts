import { Progress } from "./progress";
import { existsSync, readFileSync, statSync } from "node:fs";
import type { App } from "../app/createApp";
import { ContactNotFoundError, PathNotFoundError, RapportError } from "../core/errors";
import { resolveContactId } from "../history/timeline";
import { InvalidFieldError } from "../http/api/errors";
import { parsePurchase } from "../http/api/purchaseInput";
import { UnsupportedCurrencyError } from "../loyalty/errors";
import { OrderConflictError, PURCHASES } from "../loyalty/Purchases";

/** The CSV columns, as the API names the fields; `occurredAt` may be left out (default: now). */
const IMPORT_COLUMNS = ["customer", "orderId", "amount", "currency", "occurredAt"] as const;
const REQUIRED = IMPORT_COLUMNS.slice(0, 4);
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

interface CsvRecord { line: number; fields: string[]; unterminated?: boolean }

/**
 * `rapport purchases import <file.csv>`: records each row through the same validation and
 * PurchaseBook as `POST /api/v1/purchases`, so a re-import only counts duplicates. Good rows are
 * imported even when others are rejected; the exit status is 1 when any row was rejected, so a
 * script notices. The file is read and its header checked before the database is opened.
 */
export async function runPurchasesImport(file: string, openApp: () => Promise<App>, io: ImportIo): Promise<number> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new PathNotFoundError(file);
  const [header, ...rows] = parseCsv(readFileSync(file, "utf8"));
  if (!header) throw new ImportFileError(file, 1, `the file is empty; the first line must name the columns: ${IMPORT_COLUMNS.join(",")}`);
  const columns = columnIndexes(file, header);
  const app = await openApp();
  const counts = { imported: 0, duplicates: 0 };
  const rejected: { line: number; problem: string }[] = [];
  const progress = new Progress(io.stderr, rows.length, "purchases import", "rows");
  const contacts = new Map<string, Promise<string>>(); // customer reference → contact id, looked up once
  const orders = new Map<string, Promise<unknown>>(); // rows of one order id run in file order: the later one is the duplicate
  const importRow = (row: CsvRecord): Promise<boolean> => {
    if (row.unterminated) throw new InvalidFieldError("row", "a quoted field is not closed (a \" is missing)", "invalid");
    if (row.fields.length !== header.fields.length) throw new InvalidFieldError("row", `has ${row.fields.length} fields, the header has ${header.fields.length}`, "invalid");
    const input = parsePurchase(Object.fromEntries([...columns].map(([name, i]) => [name, row.fields[i]])));
    const earlier = orders.get(input.orderId);
    const done = (async () => {
      await earlier?.catch(() => undefined);
      if (!contacts.has(input.customer)) contacts.set(input.customer, resolveContactId(app.db, input.customer));
      const contactId = await contacts.get(input.customer)!;
      const result = await app.services.get(PURCHASES).record({ contactId, orderId: input.orderId, amountMinor: input.amountMinor, currency: input.currency, occurredAt: input.occurredAt });
      return result.duplicate;
    })();
    orders.set(input.orderId, done);
    return done.finally(() => { if (orders.get(input.orderId) === done) orders.delete(input.orderId); });
  };
  let next = 0;
  let failure: { error: unknown } | undefined;
  // A few rows at a time hide the database's round trips; the ledger keeps per-contact totals exact.
  const worker = async () => {
    while (!failure && next < rows.length) {
      const row = rows[next++]!;
      try {
        counts[(await importRow(row)) ? "duplicates" : "imported"]++;
      } catch (error) {
        const problem = rowProblem(error);
        if (problem) rejected.push({ line: row.line, problem });
        else failure ??= { error }; // the database, not the row: stop rather than reject every row after it
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
  io.stdout.write([`imported ${counts.imported}, duplicates ${counts.duplicates}, rejected ${rejected.length}`, ...listed].join("\n") + "\n");
  return rejected.length === 0 ? 0 : 1;
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
  if (missing.length > 0) throw new ImportFileError(file, header.line, `the header lacks ${missing.join(", ")}; expected the columns ${IMPORT_COLUMNS.join(",")} (occurredAt optional, any order)`);
  return found;
}

/**
 * RFC 4180 CSV: quoted fields may hold commas, newlines and `""`; CRLF or LF; a leading BOM (Excel)
 * is dropped; blank lines are skipped. Each record keeps the line it starts on, for messages.
 */
function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [], field = "", quoted = false, inQuotes = false, line = 1, start = 1;
  const end = () => {
    fields.push(field);
    if (fields.length > 1 || quoted || field.trim() !== "") records.push({ line: start, fields });
    fields = []; field = ""; quoted = false;
  };
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') inQuotes = false;
      else { if (c === "\n") line++; field += c; }
    } else if (c === '"' && field === "") { inQuotes = true; quoted = true; }
    else if (c === ",") { fields.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      end(); line++; start = line;
    } else field += c;
  }
  if (inQuotes) records.push({ line: start, fields: [...fields, field], unterminated: true });
  else if (field !== "" || fields.length > 0 || quoted) end();
  return records;
}

