import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database, type Prisma } from "../../src/db/Database";
import { lazyPrisma, type LazyPrisma } from "../../src/db/lazyPrisma";
import { isUniqueViolation } from "../../src/db/retry";
import { dropDatabase, freshDatabaseUrl, testDialect } from "../helpers/database";

let db: Database | undefined;
let url = "";
afterEach(async () => {
  await db?.close();
  db = undefined;
  await dropDatabase(url);
});

/** A LazyPrisma over a real client (the database's own, made by a first call), counting how often it is made. */
async function lazyOverRealClient(): Promise<{ lazy: LazyPrisma; makes: () => number }> {
  url = await freshDatabaseUrl();
  db = await openDatabase(url);
  let makes = 0;
  const lazy = lazyPrisma(async () => {
    makes++;
    await db!.prisma.contact.count(); // the database's own client, made now
    return db!.prisma;
  });
  return { lazy, makes: () => makes };
}

describe(`lazyPrisma (${testDialect})`, () => {
  it("makes the client at the first call that runs, once, and a call made before runs only when awaited, as a PrismaPromise", async () => {
    const { lazy, makes } = await lazyOverRealClient();
    const contacts: Prisma["contact"] = lazy.client.contact;
    const create = contacts.create({ data: { id: "c1", points: 3 } });
    await new Promise((r) => setTimeout(r, 20));
    expect([makes(), lazy.made]).toEqual([0, false]);
    expect(await db!.prisma.contact.count()).toBe(0); // made, not run
    const [created, counted] = await Promise.all([create, lazy.client.contact.count()]);
    expect(created).toMatchObject({ id: "c1", points: 3 });
    expect(counted).toBeGreaterThanOrEqual(0);
    expect([makes(), lazy.made]).toEqual([1, true]);
    expect(lazy.client).toBe(db!.prisma); // from now on the real client itself
    expect(await contacts.findUnique({ where: { id: "c1" } })).toMatchObject({ points: 3 }); // a kept stand-in delegate still works
  });

  it("runs a batch made before the client as one transaction: a failing operation leaves nothing of the others", async () => {
    const { lazy } = await lazyOverRealClient();
    const p = lazy.client;
    const batch = p.$transaction([p.contact.create({ data: { id: "a" } }), p.contact.create({ data: { id: "b" } }), p.contact.create({ data: { id: "a" } })]);
    const error = await batch.then(() => undefined, (e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    expect(await db!.prisma.contact.count()).toBe(0);
    expect(await p.$transaction([p.contact.create({ data: { id: "a" } }), p.contact.count()])).toEqual([expect.objectContaining({ id: "a" }), 1]);
  });

  it("resolves a column reference (model.fields) taken before the client was made, when the call runs", async () => {
    const { lazy } = await lazyOverRealClient();
    const p = lazy.client;
    const counted = { amountMinor: { gt: p.purchase.fields.refundedMinor } };
    await db!.prisma.contact.create({ data: { id: "c" } });
    await db!.prisma.purchase.createMany({ data: [
      { id: "p1", contactId: "c", orderId: "o1", amountMinor: 500, currency: "EUR", refundedMinor: 500, occurredAt: new Date() },
      { id: "p2", contactId: "c", orderId: "o2", amountMinor: 500, currency: "EUR", refundedMinor: 100, occurredAt: new Date() },
    ] });
    expect(await p.purchase.findMany({ where: counted, select: { id: true } })).toEqual([{ id: "p2" }]);
  });

  it("an internal of Prisma's read before the client was made is refused by name; once made it is the client's", async () => {
    const { lazy } = await lazyOverRealClient();
    const internals = () => (lazy.client as unknown as { _runtimeDataModel: { models: Record<string, unknown> } })._runtimeDataModel;
    expect(internals).toThrow(/_runtimeDataModel was read before the client was made/);
    await lazy.client.contact.count();
    expect(Object.keys(internals().models)).toContain("Contact");
  });

  it("disconnecting a client never made opens nothing", async () => {
    const { lazy, makes } = await lazyOverRealClient();
    await lazy.disconnect();
    await lazy.client.$disconnect();
    expect([makes(), lazy.made]).toEqual([0, false]);
  });
});
