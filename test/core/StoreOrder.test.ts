import { describe, expect, it } from "vitest";
import { DatabaseUnavailableError } from "../../src/core/errors";
import { HeldBehindUnstoredError, isNotStored, StoreOrder } from "../../src/core/StoreOrder";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("StoreOrder", () => {
  it("lets a sender's next message go once the one before is stored, not when it is handled", async () => {
    const order = new StoreOrder();
    const log: string[] = [];
    let finishA!: () => void;
    const a = order.run("u1", async (receipt) => {
      log.push("a in");
      await tick();
      receipt.stored();
      await new Promise<void>((r) => (finishA = r)); // still being handled
      log.push("a done");
    });
    const b = order.run("u1", async () => { log.push("b in"); });
    const other = order.run("u2", async () => { log.push("u2 in"); });
    await other;
    expect(log).toEqual(["a in", "u2 in"]);
    await b;
    expect(log).toEqual(["a in", "u2 in", "b in"]);
    finishA();
    await a;
  });

  it("refuses the messages queued behind one that could not be stored, so they are taken again after it", async () => {
    const order = new StoreOrder();
    let calls = 0;
    const a = order.run("u1", async () => { calls++; await tick(); throw new DatabaseUnavailableError(5, new Error("ECONNREFUSED")); });
    const b = order.run("u1", async () => { calls++; });
    const c = order.run("u1", async () => { calls++; });
    await expect(a).rejects.toBeInstanceOf(DatabaseUnavailableError);
    const held = await b.catch((e: unknown) => e);
    expect(held).toBeInstanceOf(HeldBehindUnstoredError);
    expect((held as Error).message).toBe("not handled: an earlier message from the same sender (u1) could not be stored; both are taken again when the database is back");
    await expect(c).rejects.toBeInstanceOf(HeldBehindUnstoredError);
    expect(calls).toBe(1);
    expect(isNotStored(held)).toBe(true);
    await order.run("u1", async () => { calls++; }); // afterwards the sender's messages flow again
    expect(calls).toBe(2);
  });

  it("a failure for good (not the database) does not hold the next message back", async () => {
    const order = new StoreOrder();
    const a = order.run("u1", async () => { throw new Error("a bug"); });
    let ran = false;
    const b = order.run("u1", async () => { ran = true; });
    await expect(a).rejects.toThrow("a bug");
    await b;
    expect(ran).toBe(true);
    expect(isNotStored(new Error("a bug"))).toBe(false);
  });
});
