import type { Database } from "../db/Database";
import type { Referrals } from "../referrals/Referrals";
import { UsageError } from "./UsageError";

/**
 * `rapport referrals held` lists referrals held for review (burst of sign-ups, inactive friend);
 * `rapport referrals review <id> approve|reject` decides one: approve pays the referrer, reject
 * refuses (and takes back a reward already paid, by a ledger entry).
 */
export async function runReferralsHeld(db: Database, out: NodeJS.WritableStream): Promise<number> {
  const held = await db.prisma.referral.findMany({ where: { status: "held" }, orderBy: { createdAt: "asc" } });
  for (const r of held) out.write(`${r.id}  code ${r.code}  referrer ${r.referrerId}  friend ${r.friendId}  since ${r.createdAt.toISOString()}  reason ${r.reason ?? "-"}\n`);
  out.write(`${held.length} held for review\n`);
  return 0;
}

/** Applies a reviewer's decision (see runReferralsHeld). */
export async function runReferralsReview(referrals: Referrals, id: string | undefined, decision: string | undefined, out: NodeJS.WritableStream): Promise<number> {
  if (!id || (decision !== "approve" && decision !== "reject")) throw new UsageError("usage: rapport referrals review <referral id> approve|reject");
  const status = await referrals.review(id, decision === "approve", process.env.USER ?? "operator");
  out.write(`referral ${id}: ${status}\n`);
  return 0;
}
