import type { Database } from "../db/Database";
import { verifyLedger } from "../loyalty/LoyaltyAccount";

/**
 * `rapport loyalty verify`: checks that every contact's balance equals the sum of its ledger
 * entries and is not negative. Prints each mismatch; exit code 1 if there is any.
 */
export async function runLoyaltyVerify(db: Database, out: NodeJS.WritableStream): Promise<number> {
  const { contacts, mismatches } = await verifyLedger(db);
  for (const m of mismatches) out.write(`mismatch: contact ${m.contactId} has balance ${m.balance}, its ledger sums to ${m.ledgerSum}\n`);
  out.write(`${contacts} contact${contacts === 1 ? "" : "s"} checked, ${mismatches.length} mismatch${mismatches.length === 1 ? "" : "es"}\n`);
  return mismatches.length === 0 ? 0 : 1;
}
