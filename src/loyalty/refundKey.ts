/** The idempotency keys a refund may be stored under: today's, and the one releases before issue #13 wrote. */
export interface RefundKeys {
  /** Unambiguous: written for every new refund (interaction dedupe key and ledger key). */
  current: string;
  /**
   * `refund:<orderId>:<refundId or amount>`, which two different refunds can share (order `A:1` +
   * refund `x` and order `A` + refund `1:x`). Only looked up, so a retry of a refund stored before
   * the change is still recognised, and only believed when the stored row is for the same order.
   */
  legacy: string;
}

/**
 * The keys of one refund: per (order, refund id), or per (order, amount) when the shop sends no
 * refund id, so a retried request is not counted twice. The current key is a JSON array, which no two
 * different triples encode alike; its prefix is one no legacy key has (those all start `refund:`).
 */
export function refundKeys(orderId: string, amountMinor: number, refundId?: string): RefundKeys {
  const current = `refund/v2:${JSON.stringify(refundId === undefined ? [orderId, "amount", amountMinor] : [orderId, "id", refundId])}`;
  return { current, legacy: `refund:${orderId}:${refundId ?? String(amountMinor)}` };
}

/**
 * Whether a row stored under the legacy key is this refund: the same order and, for a refund keyed by
 * its amount, the same amount. A row for another order that happens to share the key is not.
 */
export function isLegacyRepeat(data: { orderId?: unknown; amountMinor?: unknown }, orderId: string, amountMinor: number, refundId?: string): boolean {
  return data.orderId === orderId && (refundId !== undefined || data.amountMinor === amountMinor);
}
