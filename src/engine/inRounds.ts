/**
 * Runs `work` over `items` in rounds where no key repeats, preserving the order of results. A batch
 * upsert cannot touch one row twice (PostgreSQL refuses "ON CONFLICT DO UPDATE … a second time"), and
 * the same contact can be in one batch twice (a message and an event at the same moment).
 */
export async function inRounds<I, R>(items: I[], key: (item: I) => string, work: (round: I[]) => Promise<R[]>): Promise<R[]> {
  // Usually no key repeats: one round, the batch as it is.
  const keys = new Set<string>();
  for (const item of items) keys.add(key(item));
  if (keys.size === items.length) return work(items);
  const results: R[] = new Array(items.length);
  let remaining = items.map((item, index) => ({ item, index }));
  while (remaining.length > 0) {
    const seen = new Set<string>();
    const round: typeof remaining = [];
    const later: typeof remaining = [];
    for (const entry of remaining) {
      const k = key(entry.item);
      if (seen.has(k)) later.push(entry);
      else { seen.add(k); round.push(entry); }
    }
    const out = await work(round.map((e) => e.item));
    round.forEach((e, i) => (results[e.index] = out[i]!));
    remaining = later;
  }
  return results;
}
