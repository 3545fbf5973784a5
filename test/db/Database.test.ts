import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, sqlitePath, type Database } from "../../src/db/Database";
import { migrate } from "../../src/db/migrate";
import { sql } from "../../src/db/plan";
import { recordInteraction } from "../../src/history/recordInteraction";
import { newId } from "../../src/core/ids";
import { freshDatabaseUrl, testDialect } from "../helpers/database";

let db: Database | undefined;
afterEach(async () => { await db?.close(); db = undefined; });

describe("Database", () => {
  it.runIf(testDialect === "sqlite")("the hot path stores timestamps in the same text form as Prisma, so history sorts right", async () => {
    const url = await freshDatabaseUrl();
    db = await openDatabase(url);
    await migrate(db);
    await db.prisma.contact.create({ data: { id: "c" } });
    const at = new Date("2026-11-23T15:51:28.123Z");
    const hotId = newId(); // ids sort by creation, as the engine's do
    await db.run((function* () {
      yield sql("INSERT INTO interactions (id, contact_id, occurred_at, direction, kind, actor) VALUES (?, 'c', ?, 'event', 'hot', 'bot')", hotId, at);
    })());
    await recordInteraction(db.prisma, "c", { direction: "event", kind: "prisma", actor: "system", occurredAt: at });
    const raw = new BetterSqlite3(sqlitePath(url), { readonly: true });
    const stored = raw.prepare("SELECT kind, occurred_at FROM interactions ORDER BY occurred_at, id").all() as { kind: string; occurred_at: string }[];
    raw.close();
    expect(stored.map((r) => r.occurred_at)).toEqual(["2026-11-23T15:51:28.123+00:00", "2026-11-23T15:51:28.123+00:00"]);
    expect(stored.map((r) => r.kind)).toEqual(["hot", "prisma"]); // same millisecond: written order (ids) decides
  });
});
