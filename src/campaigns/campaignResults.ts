import type { Database } from "../db/Database";
import type { Period } from "../feedback/period";
import { campaignReport, type CampaignReport } from "./report";

/** Campaigns shown in one report at most (the newest that ran in the period). */
export const MAX_CAMPAIGNS_IN_REPORT = 20;

/**
 * The reports of the campaigns that ran in `period` (issue 18, reports page): started before its end
 * and not finished before its start, newest first. Each report is the campaign's whole run so far
 * (campaignReport: audience, sent, failed, skipped by reason, deferred, pending, replies, opt-outs,
 * conversions), not just the part inside the period: a campaign's results are read as one.
 */
export async function campaignResults(db: Database, period: Period, now = new Date()): Promise<CampaignReport[]> {
  const rows = await db.prisma.campaign.findMany({
    where: { startAt: { lt: period.to }, OR: [{ finishedAt: null }, { finishedAt: { gte: period.from } }] },
    orderBy: [{ startAt: "desc" }, { name: "asc" }], take: MAX_CAMPAIGNS_IN_REPORT, select: { name: true },
  });
  const out: CampaignReport[] = [];
  for (const r of rows) {
    const report = await campaignReport(db, r.name, now);
    if (report) out.push(report);
  }
  return out;
}
