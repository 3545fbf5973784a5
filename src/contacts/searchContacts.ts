import type { Database } from "../db/Database";

/** Contacts a search returns at most (the console says "first 50"). */
export const MAX_SEARCH_RESULTS = 50;

/**
 * Finds contacts from what a support lead types in the console: part of a name or username (`@` is
 * optional), a channel id (`telegram:123456`, or just part of `123456`), a contact id, or an attribute
 * (`city=Warsaw`, or any text in the attributes). Case does not matter on either database. Erased
 * people are never found. Newest activity first.
 */
export async function searchContacts(db: Database, query: string) {
  const q = query.trim();
  if (q === "") return [];
  const insensitive = db.dialect === "postgresql" ? { mode: "insensitive" as const } : {}; // SQLite's LIKE ignores ASCII case already
  const or: Record<string, unknown>[] = [
    { id: q },
    { displayName: { contains: q, ...insensitive } },
    { username: { contains: q.replace(/^@/, ""), ...insensitive } },
    { identities: { some: { externalId: { contains: q } } } },
    { attributes: { contains: q, ...insensitive } },
  ];
  const sep = q.indexOf(":");
  if (sep > 0) or.push({ identities: { some: { channel: q.slice(0, sep), externalId: q.slice(sep + 1) } } });
  const eq = /^([a-z][a-z0-9_]*)\s*=\s*(.+)$/.exec(q);
  if (eq) {
    // Attributes are stored as compact JSON: {"city":"Warsaw","age":41}.
    const value = eq[2]!.trim();
    or.push({ attributes: { contains: `"${eq[1]}":${JSON.stringify(value)}`, ...insensitive } }, { attributes: { contains: `"${eq[1]}":${value}`, ...insensitive } });
  }
  return db.prisma.contact.findMany({ where: { erasedAt: null, OR: or as never }, include: { identities: true }, orderBy: { updatedAt: "desc" }, take: MAX_SEARCH_RESULTS });
}
