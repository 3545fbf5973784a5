/** The CSV reader, whole and in pieces: a file read as a stream may be cut anywhere. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CsvParser, parseCsv, readCsv } from "../../src/cli/csv";

const TEXT = '\uFEFFa,b,c\r\n"x, ""quoted""",2,"multi\nline"\n\n"",,\r\nplain "inner" quote,3,4\r\n"unterminated,5';

describe("CsvParser", () => {
  it("parses quotes, doubled quotes, newlines in quotes, CRLF, a BOM and blank lines, keeping each record's line", () => {
    expect(parseCsv(TEXT)).toEqual([
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ['x, "quoted"', "2", "multi\nline"] },
      { line: 5, fields: ["", "", ""] },
      { line: 6, fields: ['plain "inner" quote', "3", "4"] },
      { line: 7, fields: ["unterminated,5"], unterminated: true },
    ]);
  });

  it("gives the same records whatever the pieces the text arrives in", () => {
    const whole = parseCsv(TEXT);
    for (let cut = 0; cut <= TEXT.length; cut++) {
      for (const size of [1, 2, 3]) {
        const parser = new CsvParser();
        const records = [...parser.push(TEXT.slice(0, cut))];
        for (let i = cut; i < TEXT.length; i += size) records.push(...parser.push(TEXT.slice(i, i + size)));
        records.push(...parser.end());
        expect(records, `cut at ${cut}, then pieces of ${size}`).toEqual(whole);
      }
    }
  });

  it("reads a file as a stream of record batches", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "rapport-csv-")), "big.csv");
    const rows = Array.from({ length: 100_000 }, (_, i) => `c${i},"o,${i}",${i}.50`);
    writeFileSync(file, ["customer,orderId,amount", ...rows].join("\r\n"));
    let n = 0, batches = 0, last: string[] = [];
    for await (const records of readCsv(file)) { n += records.length; batches++; last = records[records.length - 1]!.fields; }
    expect(n).toBe(100_001);
    expect(batches).toBeGreaterThan(1);
    expect(last).toEqual(["c99999", "o,99999", "99999.50"]);
  });
});
