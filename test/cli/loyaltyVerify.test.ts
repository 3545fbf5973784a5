/** `rapport loyalty verify`: a clean ledger passes; a balance changed behind the ledger's back is reported with exit 1, naming the customer as channel:id and name. */
import { describe, expect, it } from "vitest";
import { runLoyaltyVerify } from "../../src/cli/loyaltyVerify";
import { useTestApps } from "../helpers/testApp";

const startApp = useTestApps();

function capture() {
  let text = "";
  return { out: { write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WritableStream, text: () => text };
}

describe("rapport loyalty verify", () => {
  it("passes a consistent ledger and reports a tampered balance", async () => {
    const t = await startApp();
    await t.say("vera", "/start"); // 50 welcome points through the ledger
    const ok = capture();
    expect(await runLoyaltyVerify(t.app.db, ok.out)).toBe(0);
    expect(ok.text()).toBe("1 contact checked, 0 mismatches\n");
    const { contactId } = await t.app.db.prisma.channelIdentity.findFirstOrThrow({ where: { externalId: "vera" } });
    await t.app.db.prisma.contact.update({ where: { id: contactId }, data: { points: 75 } });
    const bad = capture();
    expect(await runLoyaltyVerify(t.app.db, bad.out)).toBe(1);
    expect(bad.text()).toBe(`mismatch: test:vera has balance 75, its ledger sums to 50 (contact ${contactId})\n1 contact checked, 1 mismatch\n`);
    await t.app.db.prisma.contact.update({ where: { id: contactId }, data: { displayName: "Vera Nowak" } });
    const named = capture();
    expect(await runLoyaltyVerify(t.app.db, named.out)).toBe(1);
    expect(named.text().split("\n")[0]).toBe(`mismatch: test:vera "Vera Nowak" has balance 75, its ledger sums to 50 (contact ${contactId})`);
  });
});
