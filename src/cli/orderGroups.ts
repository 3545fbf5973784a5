import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CsvRecord } from "./csv";
import { readCsv } from "./csv";
import { orderKeyOf } from "./importOrders";

/** The rows of one order (or one row that stands alone), in file order. */
export type RowGroup = CsvRecord[];

/**
 * With item columns, an order's rows may be anywhere in the file (importOrders.ts), so no order is
 * complete until the file has been read to its end. Rather than hold a million rows in memory, they
 * are written to a scratch SQLite file beside the system's temp files and read back grouped, ordered
 * by each order's first line: memory stays flat, the disk holds about the file's size until `close`.
 */
export class OrderGroups {
  private constructor(private readonly db: import("better-sqlite3").Database, private readonly dir: string, readonly count: number) {}

  /** Reads `file` (its header is `header`) into the scratch file; `count` is then how many groups there are. */
  static async fromFile(file: string, header: CsvRecord, columns: Map<string, number>): Promise<OrderGroups> {
    const { default: BetterSqlite3 } = await import("better-sqlite3");
    const dir = mkdtempSync(join(tmpdir(), "rapport-import-"));
    const db = new BetterSqlite3(join(dir, "rows.db"));
    try {
      db.pragma("journal_mode = OFF");
      db.pragma("synchronous = OFF");
      db.pragma("temp_store = FILE"); // the sort below spills to disk too
      db.exec("CREATE TABLE rows (line INTEGER PRIMARY KEY, grp TEXT, fields TEXT NOT NULL, unterminated INTEGER NOT NULL)");
      const insert = db.prepare("INSERT INTO rows (line, grp, fields, unterminated) VALUES (?, ?, ?, ?)");
      const insertAll = db.transaction((records: CsvRecord[]) => {
        for (const r of records) insert.run(r.line, orderKeyOf(r, header, columns) ?? null, JSON.stringify(r.fields), r.unterminated ? 1 : 0);
      });
      let first = true;
      for await (let records of readCsv(file)) {
        if (first) { records = records.slice(1); first = false; } // the header
        insertAll(records);
      }
      db.exec("CREATE TABLE firsts AS SELECT grp, MIN(line) AS first FROM rows WHERE grp IS NOT NULL GROUP BY grp; CREATE UNIQUE INDEX firsts_grp ON firsts (grp)");
      const count = (db.prepare("SELECT (SELECT COUNT(*) FROM firsts) + (SELECT COUNT(*) FROM rows WHERE grp IS NULL) AS n").get() as { n: number }).n;
      return new OrderGroups(db, dir, count);
    } catch (error) {
      db.close();
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The groups, ordered by their first line; each group's rows in file order. */
  *groups(): Generator<RowGroup> {
    const rows = this.db.prepare(`SELECT r.line, r.fields, r.unterminated, COALESCE(f.first, r.line) AS first
      FROM rows r LEFT JOIN firsts f ON f.grp = r.grp ORDER BY first, r.line`).iterate() as IterableIterator<{ line: number; fields: string; unterminated: number; first: number }>;
    let group: RowGroup = [];
    let current = -1;
    for (const r of rows) {
      if (r.first !== current && group.length > 0) { yield group; group = []; }
      current = r.first;
      group.push({ line: r.line, fields: JSON.parse(r.fields) as string[], ...(r.unterminated ? { unterminated: true } : {}) });
    }
    if (group.length > 0) yield group;
  }

  /** Removes the scratch file. */
  close(): void {
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
