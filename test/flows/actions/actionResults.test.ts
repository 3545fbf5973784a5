import { describe, expect, it } from "vitest";
import { ACTION_RESULT_DAYS, purgeActionResults, storeActionResult, storedActionResult } from "../../../src/flows/actions/actionResults";
import { useTestApps } from "../../helpers/testApp";

const startApp = useTestApps();
const NOW = new Date("2026-06-30T12:00:00Z");

describe("action results (issue 13, side effects once)", () => {
  it("keeps the first answer for a key, reads it back as JSON, and purges week-old ones in batches", async () => {
    const { app } = await startApp();
    const p = app.db.prisma;
    await p.contact.create({ data: { id: "c1" } });
    expect(await storedActionResult(app.db, "m1:rewards:redeem")).toEqual({ found: false });
    await storeActionResult(p, { key: "m1:rewards:redeem", contactId: "c1", action: "loyalty.redeem", result: { ok: true, balance: 0 } });
    await storeActionResult(p, { key: "m1:rewards:redeem", contactId: "c1", action: "loyalty.redeem", result: { ok: false } });
    expect(await storedActionResult(app.db, "m1:rewards:redeem")).toEqual({ found: true, value: { ok: true, balance: 0 } });
    await storeActionResult(p, { key: "m2:x:y", contactId: "c1", action: "a", result: undefined });
    expect(await storedActionResult(app.db, "m2:x:y")).toEqual({ found: true, value: null });

    const old = new Date(NOW.getTime() - (ACTION_RESULT_DAYS + 1) * 86_400_000);
    await p.actionResult.createMany({ data: Array.from({ length: 520 }, (_, i) => ({ key: `old${i}`, contactId: "c1", action: "a", result: "null", createdAt: old })) });
    await p.actionResult.create({ data: { key: "recent", contactId: "c1", action: "a", result: "null", createdAt: new Date(NOW.getTime() - 86_400_000) } });
    expect(await purgeActionResults(app.db, NOW)).toBe(520);
    expect(await p.actionResult.count({ where: { key: { startsWith: "old" } } })).toBe(0);
    expect(await p.actionResult.count({ where: { key: "recent" } })).toBe(1);
  });

  it("go when their contact is deleted (erase deletes them through contactData.ts)", async () => {
    const { app } = await startApp();
    await app.db.prisma.contact.create({ data: { id: "c2" } });
    await storeActionResult(app.db.prisma, { key: "k", contactId: "c2", action: "a", result: 1 });
    await app.db.prisma.contact.delete({ where: { id: "c2" } });
    expect(await app.db.prisma.actionResult.count()).toBe(0);
  });
});
