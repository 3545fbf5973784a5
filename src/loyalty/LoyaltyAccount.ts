import type { Database } from "../db/Database";
import { nextTier, type LoyaltyRules, type Tier } from "./rules";

/** What `/balance` and `GET /api/v1/contacts/<customer>/points` show. */
export interface AccountSummary {
  points: number;
  tier: Tier;
  lifetimePoints: number;
  /** The next tier and the lifetime points still needed, absent at the top tier. */
  next?: { tier: Tier; needed: number };
  /** Newest first. */
  entries: { kind: string; points: number; reason: string; source: string; at: string }[];
  /** Points that expire within the reminder window, and the soonest date. */
  expiring?: { points: number; at: string };
}

/** Reads a contact's balance, tier, progress and last entries (read-only; the Ledger writes). */
export async function accountSummary(db: Database, rules: LoyaltyRules, contactId: string, last = 5, now = new Date()): Promise<AccountSummary | undefined> {
  const contact = await db.prisma.contact.findUnique({ where: { id: contactId }, select: { points: true, tier: true, lifetimePoints: true } });
  if (!contact) return undefined;
  const entries = await db.prisma.ledgerEntry.findMany({ where: { contactId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: last });
  const horizon = new Date(now.getTime() + rules.expiry.remind_days_before * 86_400_000);
  const soon = await db.prisma.ledgerEntry.findMany({ where: { contactId, remaining: { gt: 0 }, expiresAt: { not: null, gt: now, lte: horizon } }, orderBy: { expiresAt: "asc" }, select: { remaining: true, expiresAt: true } });
  return {
    points: contact.points,
    tier: contact.tier as Tier,
    lifetimePoints: contact.lifetimePoints,
    next: nextTier(rules, contact.lifetimePoints),
    entries: entries.map((e) => ({ kind: e.kind, points: e.points, reason: e.reason, source: e.source, at: e.createdAt.toISOString() })),
    expiring: soon.length ? { points: soon.reduce((s, e) => s + e.remaining, 0), at: soon[0]!.expiresAt!.toISOString() } : undefined,
  };
}

/** A contact whose stored balance differs from the sum of its ledger entries (or is negative). */
export interface Mismatch {
  contactId: string;
  balance: number;
  ledgerSum: number;
}

/** Checks every contact: balance = sum of entries, and ≥ 0 (`rapport loyalty verify`). One query. */
export async function verifyLedger(db: Database): Promise<{ contacts: number; mismatches: Mismatch[] }> {
  const rows = await db.prisma.$queryRawUnsafe<{ id: string; points: number | bigint; total: number | bigint | null }[]>(
    `SELECT c.id, c.points, (SELECT SUM(e.points) FROM ledger_entries e WHERE e.contact_id = c.id) AS total FROM contacts c`,
  );
  const mismatches = rows
    .map((r) => ({ contactId: r.id, balance: Number(r.points), ledgerSum: Number(r.total ?? 0) }))
    .filter((m) => m.balance !== m.ledgerSum || m.balance < 0);
  return { contacts: rows.length, mismatches };
}
