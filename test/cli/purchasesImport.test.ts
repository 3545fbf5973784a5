/**
 * `rapport purchases import` as an operator runs it (a child process on a fresh database), plus the
 * progress bar in-process with a TTY-like stderr.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids";
import { ImportFileError, runPurchasesImport } from "../../src/cli/purchasesImport";
import type { App } from "../../src/app/createApp";
import { verifyLedger } from "../../src/loyalty/LoyaltyAccount";
import { runCli } from "../helpers/cli";
import { dropDatabase, freshDatabaseUrl } from "../helpers/database";
import { nativeSqliteLoads } from "../helpers/nativeSqlite";
import { startTestApp, useTestApps } from "../helpers/testApp";

const sqliteLoads = await nativeSqliteLoads();

const urls: string[] = [];
afterAll(async () => { for (const u of urls) await dropDatabase(u); });
const startApp = useTestApps();
const dir = mkdtempSync(join(tmpdir(), "rapport-import-"));

/** A migrated database with contacts `shop:<name>`; returns its URL and the contacts' ids. */
async function databaseWith(...names: string[]): Promise<{ url: string; ids: Record<string, string> }> {
  const url = await freshDatabaseUrl();
  urls.push(url);
  const t = await startTestApp({ url });
  const ids: Record<string, string> = {};
  for (const name of names) {
    ids[name] = newId();
    await t.app.db.prisma.contact.create({ data: { id: ids[name], displayName: name } });
    await t.app.db.prisma.channelIdentity.create({ data: { channel: "shop", externalId: name, contactId: ids[name] } });
  }
  await t.close();
  return { url, ids };
}

function csv(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function counts(url: string) {
  const t = await startTestApp({ url });
  try {
    const p = t.app.db.prisma;
    const points = Object.fromEntries((await p.contact.findMany()).map((c) => [c.displayName, c.points]));
    return { purchases: await p.purchase.count(), ledger: await p.ledgerEntry.count(), points };
  } finally {
    await t.close();
  }
}

describe("rapport purchases import", () => {
  it("imports good rows, lists rejected ones with their line, exits 1, and counts a re-import as duplicates", async () => {
    const { url, ids } = await databaseWith("alice", 'Smith, "Jr"');
    const file = csv("mixed.csv", [
      "\uFEFFamount,Currency,customer,orderId,occurredAt,note", // BOM, any order, any case, an extra column
      `19.99,eur,shop:alice,A1,2024-05-01T10:00:00Z,first`,
      "",
      `"1,000.00",EUR,shop:alice,A2,,thousands separator`,
      `12.345,EUR,shop:alice,A3,,too precise`,
      `5,EUR,${ids.alice},A4,2024-05-02,"a note`,
      `spanning lines"`,
      `"7.50",usd,"shop:Smith, ""Jr""",B1,2024-05-03T09:00:00+02:00,quoted customer`,
      `3,EUR,shop:nobody,C1,,unknown`,
      `4,EUR,shop:alice,A5,2024-05-01T10:00:00,no zone`,
      `1,EUR,shop:alice`,
      `2,ZZZ,shop:alice,A6,,a currency the rules do not list`,
      `2,EUR,shop:alice,A\u00007,,a NUL in the order id`,
      `2,EUR,shop:alice,A8,1999-12-31,before 2000`,
    ].join("\r\n") + "\r\n");
    const r = await runCli(["purchases", "import", file], { env: { DATABASE_URL: url } });
    expect(r.stdout).toBe([
      "imported 3, duplicates 0, rejected 8",
      `${file}:4: amount: "1,000.00" is not a number; use digits with a dot for decimals, e.g. 19.99`,
      `${file}:5: amount: "12.345" has more than 2 decimals; amounts are in currency units, e.g. 19.99`,
      `${file}:9: customer: no contact matches "shop:nobody"; use a contact id or <channel>:<external id>, e.g. terminal:alice or telegram:123456`,
      `${file}:10: occurredAt: "2024-05-01T10:00:00" has no time zone; add Z or an offset such as +02:00`,
      `${file}:11: row: has 3 fields, the header has 6`,
      `${file}:12: currency: ZZZ is not accepted; purchases may be in EUR, USD, GBP, PLN (the currencies in flows/loyalty.yaml)`,
      `${file}:13: orderId: contains a NUL character (U+0000) at position 1; send plain UTF-8 text without control characters`,
      `${file}:14: occurredAt: 1999-12-31T00:00:00.000Z is before 2000-01-01, the earliest date accepted; send the date the purchase was made`,
      "",
    ].join("\n"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("purchases import: 11/11 rows (100%)");
    expect(await counts(url)).toEqual({ purchases: 3, ledger: 3, points: { alice: 24, 'Smith, "Jr"': 6 } }); // 19.99 EUR → 19 plus 5; 7.50 USD at 0.9 → 6

    const again = await runCli(["purchases", "import", file], { env: { DATABASE_URL: url } });
    expect(again.stdout.split("\n")[0]).toBe("imported 0, duplicates 3, rejected 8");
    expect(again.code).toBe(1);
    expect(await counts(url)).toEqual({ purchases: 3, ledger: 3, points: { alice: 24, 'Smith, "Jr"': 6 } });
  }, 60_000);

  it("exits 0 when every row is imported, and reports an order id reused with another amount", async () => {
    const { url } = await databaseWith("bob");
    const ok = await runCli(["purchases", "import", csv("ok.csv", "customer,orderId,amount,currency\nshop:bob,X1,10,EUR\nshop:bob,X2,20.5,EUR\n")], { env: { DATABASE_URL: url } });
    expect(ok.stdout).toBe("imported 2, duplicates 0, rejected 0\n");
    expect(ok.code).toBe(0);
    const file = csv("conflict.csv", "customer,orderId,amount,currency\nshop:bob,X1,11,EUR\n");
    const conflict = await runCli(["purchases", "import", file], { env: { DATABASE_URL: url } });
    expect(conflict.stdout).toBe(`imported 0, duplicates 0, rejected 1\n${file}:2: orderId: order X1: was already recorded for another customer, amount or currency; send a new order id\n`);
    expect(conflict.code).toBe(1);
  }, 60_000);

  it("lists at most 50 rejected rows", async () => {
    const { url } = await databaseWith("carol");
    const rows = Array.from({ length: 60 }, (_, i) => `shop:carol,O${i},-${i + 1},EUR`);
    const file = csv("many.csv", ["customer,orderId,amount,currency", ...rows].join("\n"));
    const r = await runCli(["purchases", "import", file], { env: { DATABASE_URL: url } });
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("imported 0, duplicates 0, rejected 60");
    expect(lines[1]).toBe(`${file}:2: amount: must be more than 0, got -1`);
    expect(lines).toHaveLength(52);
    expect(lines[51]).toBe("… and 10 more");
    expect(r.stderr.match(/^purchases import: /gm)).toHaveLength(10); // a line every 10% when stderr is not a TTY
  }, 60_000);

  it("names a missing file, a header without the needed columns, and a wrong command line", async () => {
    const url = await freshDatabaseUrl();
    urls.push(url);
    const missing = await runCli(["purchases", "import", join(dir, "nope.csv")], { env: { DATABASE_URL: url } });
    expect(missing.stderr).toBe(`rapport: ${join(dir, "nope.csv")}: no such file or folder\n`);
    expect(missing.code).toBe(1);
    const header = csv("header.csv", "customer;orderId;amount;currency\n");
    const bad = await runCli(["purchases", "import", header], { env: { DATABASE_URL: url } });
    expect(bad.stderr).toBe(`rapport: ${header}:1: the header lacks customer, orderId, amount, currency; expected the columns customer,orderId,amount,currency,occurredAt (occurredAt optional, any order)\n`);
    expect(bad.code).toBe(1);
    const usage = await runCli(["purchases", "import"], { env: { DATABASE_URL: url } });
    expect(usage.stderr).toBe("rapport: missing required argument 'file'\n  see: rapport purchases import --help\n");
    expect(usage.code).toBe(2);
  }, 60_000);
});

describe("runPurchasesImport", () => {
  it("draws a progress bar on a TTY and ends it with a newline", async () => {
    const { app } = await startApp();
    const id = newId();
    await app.db.prisma.contact.create({ data: { id, displayName: "dan" } });
    const file = csv("tty.csv", `customer,orderId,amount,currency\n${id},T1,1,EUR\n${id},T2,2,EUR\n${id},T1,1,EUR\n`);
    let out = "", err = "";
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { isTTY: true, write: (s: string) => (err += s) } } as never;
    const code = await runPurchasesImport(file, async () => ({ ...app, close: async () => {} }) as App, io);
    expect(code).toBe(0);
    expect(out).toBe("imported 2, duplicates 1, rejected 0\n");
    expect(err).toMatch(/^\r\[##########--------------------\] 1\/3 \d+ rows\/s /);
    expect(err).toMatch(/\r\[#{30}\] 3\/3 \d+ rows\/s \n$/);
  });

  it("takes the rows of one order id in file order: the later one is the duplicate or the conflict", async () => {
    const { app } = await startApp();
    const id = newId();
    await app.db.prisma.contact.create({ data: { id, displayName: "eve" } });
    // Four workers take lines 2-5 together, and line 2's customer takes two queries to resolve where
    // the others take one: without ordering, line 3 would be recorded first.
    await app.db.prisma.channelIdentity.create({ data: { channel: "shop", externalId: "eve", contactId: id } });
    const rows = [`shop:eve,O1,13,EUR`, `${id},O1,12,EUR`, `${id},O1,11,EUR`, `${id},O1,13,EUR`, `${id},O2,10,EUR`, `${id},O2,10,EUR`];
    const file = csv("order.csv", ["customer,orderId,amount,currency", ...rows].join("\n"));
    let out = "";
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } } as never;
    const code = await runPurchasesImport(file, async () => ({ ...app, close: async () => {} }) as App, io);
    expect(code).toBe(1);
    expect(out).toBe([
      "imported 2, duplicates 2, rejected 2",
      `${file}:3: orderId: order O1: was already recorded for another customer, amount or currency; send a new order id`,
      `${file}:4: orderId: order O1: was already recorded for another customer, amount or currency; send a new order id`,
      "",
    ].join("\n"));
    expect((await app.db.prisma.purchase.findMany({ orderBy: { orderId: "asc" }, select: { amountMinor: true } })).map((p) => p.amountMinor)).toEqual([1300, 1000]);
  });

  // Grouping lines by order uses an SQLite scratch file, also on PostgreSQL (see nativeSqliteLoads).
  it.runIf(sqliteLoads)("with item columns, takes the rows of one order id as its lines, order columns blank or repeated (issue 19)", async () => {
    const { app } = await startApp();
    const id = newId();
    await app.db.prisma.contact.create({ data: { id, displayName: "fay" } });
    await app.db.prisma.channelIdentity.create({ data: { channel: "shop", externalId: "fay", contactId: id } });
    const file = csv("items.csv", [
      "orderId,customer,amount,currency,occurredAt,sku,name,quantity,unitPrice",
      `S1,shop:fay,29.97,EUR,,TEA-1,Green tea,2,9.99`,
      `S1,,,,,CUP,"Cup, white",1,9.99`, // a Shopify-style line: the order's columns only on its first row
      `S2,shop:fay,5,EUR,,,,,`, // an order without items
      `S3,shop:fay,12,EUR,,TEA-1,Green tea,1,12`,
      `S1,shop:fay,29.97,EUR,,GIFT,Sample,1,0`, // the same order further down, its columns repeated
      `S4,shop:fay,10,EUR,,MUG,Mug,0,10`, // quantity 0: the whole order is refused
      `S4,,,,,TEA-1,Green tea,1,1.00`,
      `S5,shop:fay,10,EUR,,MUG,Mug,1,10`,
      `S5,shop:fay,11,EUR,,TEA-1,Green tea,1,1`, // the amount differs from its first row
      `S6,shop:fay,10,EUR,,MUG,,1,10`, // an item without a name
      `,shop:fay,10,EUR,,MUG,Mug,1,10`, // no order id to group it by
    ].join("\n") + "\n");
    let out = "";
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } } as never;
    const open = async () => ({ ...app, close: async () => {} }) as App;
    expect(await runPurchasesImport(file, open, io)).toBe(1);
    expect(out).toBe([
      "imported 3, duplicates 0, rejected 4",
      `${file}:7: quantity: must be 1 or more, got 0 (order S4 not imported)`,
      `${file}:10: amount: "11" differs from line 9 ("10"); repeat the order's value or leave it blank (order S5 not imported)`,
      `${file}:11: name: is required (order S6 not imported)`,
      `${file}:12: orderId: is required`,
      "",
    ].join("\n"));
    const orders = await app.db.prisma.purchase.findMany({ orderBy: { orderId: "asc" }, include: { items: { orderBy: { position: "asc" } } } });
    expect(orders.map((o) => [o.orderId, o.amountMinor, o.items.map((i) => `${i.quantity}×${i.sku} ${i.name} @${i.unitPriceMinor}`)])).toEqual([
      ["S1", 2997, ["2×TEA-1 Green tea @999", "1×CUP Cup, white @999", "1×GIFT Sample @0"]],
      ["S2", 500, []],
      ["S3", 1200, ["1×TEA-1 Green tea @1200"]],
    ]);
    // Each order raised one purchase.recorded, with its items.
    const events = await app.db.prisma.scheduledJob.findMany({ where: { name: "purchase.recorded" } });
    expect(events.map((e) => JSON.parse(e.data!).orderId).sort()).toEqual(["S1", "S2", "S3"]);
    out = "";
    expect(await runPurchasesImport(file, open, io)).toBe(1);
    expect(out.split("\n")[0]).toBe("imported 0, duplicates 3, rejected 4");
    expect(await app.db.prisma.purchaseItem.count()).toBe(4);
    expect(await app.db.prisma.scheduledJob.count({ where: { name: "purchase.recorded" } })).toBe(3);
  });

  it("raises nothing for orders older than the setting (a backfill), and refuses a header with only some item columns", async () => {
    const { app } = await startApp();
    const id = newId();
    await app.db.prisma.contact.create({ data: { id, displayName: "gus" } });
    const old = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const file = csv("old.csv", `customer,orderId,amount,currency,occurredAt\n${id},H1,10,EUR,${old}\n${id},H2,10,EUR,\n`);
    const io = { stdout: { write: () => true }, stderr: { write: () => true } } as never;
    expect(await runPurchasesImport(file, async () => ({ ...app, close: async () => {} }) as App, io)).toBe(0);
    expect((await app.db.prisma.scheduledJob.findMany()).map((j) => JSON.parse(j.data!).orderId)).toEqual(["H2"]);
    const partial = csv("partial.csv", "customer,orderId,amount,currency,sku,quantity\n");
    await expect(runPurchasesImport(partial, async () => app, io)).rejects.toThrow(`${partial}:1: the header has sku, quantity but lacks name, unitPrice; items need all of sku,name,quantity,unitPrice (one row per item)`);
  });

  it("batches (issue 17): repeats and conflicts within a chunk and across chunks, rejected rows in the middle, the same totals", async () => {
    const { app } = await startApp();
    const people = Array.from({ length: 7 }, () => newId());
    for (const [n, id] of people.entries()) {
      await app.db.prisma.contact.create({ data: { id, displayName: `p${n}` } });
      await app.db.prisma.channelIdentity.create({ data: { channel: "shop", externalId: `p${n}`, contactId: id } });
    }
    // 1,200 rows: three chunks of 500. Row k (file line k + 2) is order N<k> of p<k % 7> for k + 1 euros.
    const rows = Array.from({ length: 1200 }, (_, k) => `shop:p${k % 7},N${k},${k + 1},EUR`);
    rows[1] = "shop:p0,N0,1,EUR"; // line 3: a repeat of line 2, same chunk
    rows[2] = "shop:p0,N0,2,EUR"; // line 4: a conflict with line 2, same chunk
    rows[700] = "shop:p3,N10,11,EUR"; // line 702: a repeat of line 12, next chunk
    rows[1100] = "shop:p6,N20,99,EUR"; // line 1102: a conflict with line 22, third chunk
    rows[250] = "shop:nobody,N250,251,EUR"; // line 252: an unknown customer
    rows[600] = "shop:p5,N600,abc,EUR"; // line 602: a bad amount
    rows[999] = "shop:p5,N999,1000,EUR,extra"; // line 1001: too many fields, at a chunk's edge
    const file = csv("batches.csv", ["customer,orderId,amount,currency", ...rows].join("\n") + "\n");
    let out = "";
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } } as never;
    const open = async () => ({ ...app, close: async () => {} }) as App;
    expect(await runPurchasesImport(file, open, io)).toBe(1);
    expect(out).toBe([
      "imported 1193, duplicates 2, rejected 5",
      `${file}:4: orderId: order N0: was already recorded for another customer, amount or currency; send a new order id`,
      `${file}:252: customer: no contact matches "shop:nobody"; use a contact id or <channel>:<external id>, e.g. terminal:alice or telegram:123456`,
      `${file}:602: amount: "abc" is not a number; use digits with a dot for decimals, e.g. 19.99`,
      `${file}:1001: row: has 5 fields, the header has 4`,
      `${file}:1102: orderId: order N20: was already recorded for another customer, amount or currency; send a new order id`,
      "",
    ].join("\n"));
    const imported = rows.map((_, k) => k).filter((k) => ![1, 2, 700, 1100, 250, 600, 999].includes(k));
    expect(await app.db.prisma.purchase.count()).toBe(1193);
    expect(await app.db.prisma.ledgerEntry.count({ where: { source: "purchase" } })).toBe(1193);
    // Each contact's balance is what its rows earn one at a time (the tier's multiplier as lifetime points pass 1,000, 5,000, 20,000).
    for (const [n, id] of people.entries()) {
      let lifetime = 0;
      for (const k of imported.filter((k) => k % 7 === n)) lifetime += Math.floor((k + 1) * (lifetime >= 20_000 ? 2 : lifetime >= 5000 ? 1.5 : lifetime >= 1000 ? 1.25 : 1));
      const c = await app.db.prisma.contact.findUniqueOrThrow({ where: { id } });
      expect([c.points, c.lifetimePoints], `p${n}`).toEqual([lifetime, lifetime]);
    }
    expect((await verifyLedger(app.db)).mismatches).toEqual([]);
    out = "";
    expect(await runPurchasesImport(file, open, io)).toBe(1);
    expect(out.split("\n")[0]).toBe("imported 0, duplicates 1195, rejected 5");
    expect(await app.db.prisma.ledgerEntry.count({ where: { source: "purchase" } })).toBe(1193);
  });

  it("ImportFileError says file:line and the problem", () => {
    expect(new ImportFileError("p.csv", 1, "the file is empty").message).toBe("p.csv:1: the file is empty");
    expect(new ImportFileError("p.csv", 1, "x").code).toBe("rapport_import_invalid");
  });
});
