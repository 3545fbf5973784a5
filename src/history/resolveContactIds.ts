import type { SqlReader } from "../db/openReader";
import { inValues, listPlaceholders, sql } from "../db/plan";

/**
 * Many references at once, as resolveContactId takes one (a contact id first, then
 * `<channel>:<external id>`): a few statements for a whole batch of the CSV import instead of one
 * or two per row. References that match nothing are absent from the map.
 */
export async function resolveContactIds(db: SqlReader, references: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const unique = [...new Set(references)];
  for (let start = 0; start < unique.length; start += 500) {
    const part = inValues(unique.slice(start, start + 500)); // a few statement texts, not one per count
    const rows = await db.query(sql(`SELECT id FROM contacts WHERE id IN (${listPlaceholders(part.length)})`, ...part));
    for (const r of rows) found.set(String(r.id), String(r.id));
  }
  // The rest by channel identity, one statement per channel (each uses the (channel, external_id) key).
  const byChannel = new Map<string, Map<string, string>>();
  for (const reference of unique) {
    const sep = reference.indexOf(":");
    if (found.has(reference) || sep <= 0) continue;
    const channel = reference.slice(0, sep);
    if (!byChannel.has(channel)) byChannel.set(channel, new Map());
    byChannel.get(channel)!.set(reference.slice(sep + 1), reference);
  }
  for (const [channel, externals] of byChannel) {
    const ids = [...externals.keys()];
    for (let start = 0; start < ids.length; start += 500) {
      const part = inValues(ids.slice(start, start + 500));
      const rows = await db.query(sql(`SELECT contact_id, external_id FROM channel_identities WHERE channel = ? AND external_id IN (${listPlaceholders(part.length)})`, channel, ...part));
      for (const r of rows) found.set(externals.get(String(r.external_id))!, String(r.contact_id));
    }
  }
  return found;
}
