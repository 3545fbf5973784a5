/** openReader: the driver alone reads what Prisma wrote, timestamps included; migrationsPending tells a new database from a current one. */
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/Database";
import { migrate, migrationsPending } from "../../src/db/migrate";
import { dateOf, maybeDate, openReader } from "../../src/db/openReader";
import { sql } from "../../src/db/plan";
import { dropDatabase, freshDatabaseUrl, testDialect } from "../helpers/database";

const urls: string[] = [];
afterAll(async () => { for (const u of urls) await dropDatabase(u); });

describe(`openReader (${testDialect})`, () => {
  it("reads rows Prisma wrote, compares timestamps with Date parameters, and knows when migrations are pending", async () => {
    const url = await freshDatabaseUrl({ empty: true });
    urls.push(url);
    const before = await openReader(url);
    try {
      expect(await migrationsPending(before)).toBe(true);
    } finally {
      await before.close();
    }
    const db = await openDatabase(url);
    const at = new Date("2024-05-10T09:00:00.123Z");
    try {
      await migrate(db);
      await db.prisma.contact.create({ data: { id: "c1", displayName: "Ann", createdAt: at } });
    } finally {
      await db.close();
    }
    const reader = await openReader(url);
    try {
      expect(await migrationsPending(reader)).toBe(false);
      const rows = await reader.query(sql("SELECT id, display_name, created_at FROM contacts WHERE created_at >= ? AND created_at < ?", at, new Date(at.getTime() + 1)));
      expect(rows.map((r) => ({ id: r.id, name: r.display_name, at: dateOf(r.created_at).toISOString() }))).toEqual([{ id: "c1", name: "Ann", at: at.toISOString() }]);
      expect(await reader.query(sql("SELECT id FROM contacts WHERE created_at > ?", at))).toEqual([]);
    } finally {
      await reader.close();
    }
  });

  it("dateOf and maybeDate take either dialect's timestamp", () => {
    expect(dateOf("2024-05-10T09:00:00.123+00:00").toISOString()).toBe("2024-05-10T09:00:00.123Z");
    expect(dateOf(new Date(0)).getTime()).toBe(0);
    expect(maybeDate(null)).toBeNull();
  });
});
