import type { Database } from "../db/Database";
import { verifyLedger } from "../loyalty/LoyaltyAccount";

/**
 * `rapport loyalty verify`: checks that every contact's balance equals the sum of its ledger
 * entries and is not negative. Prints each mismatch, naming the customer as an operator finds them
 * (`telegram:123456 "Anna"`, what `rapport contacts history` takes), with the contact id last for
 * the database; exit code 1 if there is any.
 */
export async function runLoyaltyVerify(db: Database, out: NodeJS.WritableStream): Promise<number> {
  const { contacts, mismatches } = await verifyLedger(db);
  const names = await customerNames(db, mismatches.map((m) => m.contactId));
  for (const m of mismatches) out.write(`mismatch: ${names.get(m.contactId) ?? m.contactId} has balance ${m.balance}, its ledger sums to ${m.ledgerSum} (contact ${m.contactId})\n`);
  out.write(`${contacts} contact${contacts === 1 ? "" : "s"} checked, ${mismatches.length} mismatch${mismatches.length === 1 ? "" : "es"}\n`);
  return mismatches.length === 0 ? 0 : 1;
}

/** `telegram:123456 "Anna"` per contact id: every channel identity, then the name they go by. */
async function customerNames(db: Database, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.prisma.contact.findMany({ where: { id: { in: ids } }, select: { id: true, displayName: true, username: true, identities: { select: { channel: true, externalId: true } } } });
  return new Map(rows.map((c) => {
    const handles = c.identities.map((i) => `${i.channel}:${i.externalId}`).join(", ") || c.id;
    const name = c.displayName ?? c.username;
    return [c.id, name ? `${handles} ${JSON.stringify(name)}` : handles];
  }));
}
