import type { Prisma } from "../db/Database";
import { ContactNotFoundError } from "../core/errors";
import { CONTACT_TABLES, delegateName, whereContact } from "./contactData";

/**
 * The export document's format version. Bump it when a section changes meaning or shape (a new
 * section or column does not: readers must ignore what they do not know).
 */
export const EXPORT_SCHEMA_VERSION = 1;

/** Columns that hold JSON text; the export carries them parsed, as the structures they are. */
const JSON_COLUMNS = new Set(["data", "variables", "waiting", "detail"]);

/** Everything Rapport holds about one person, as one JSON-ready document. */
export interface ContactExport {
  schemaVersion: number;
  exportedAt: string;
  contact: Record<string, unknown>;
  /** One key per table of CONTACT_TABLES (its `section`), each a list of rows with every column. */
  [section: string]: unknown;
}

type Delegate = { findMany(args: unknown): Promise<Record<string, unknown>[]> };

/**
 * Reads every row of every table in CONTACT_TABLES that belongs to the contact, with all columns
 * (whatever the schema adds later), in one read transaction so the sections agree with each other.
 * Read-only: the caller records the export in the audit log.
 */
export async function exportContact(prisma: Prisma, contactId: string, now = new Date()): Promise<ContactExport> {
  return prisma.$transaction(async (tx) => {
    const contact = await tx.contact.findUnique({ where: { id: contactId } });
    if (!contact) throw new ContactNotFoundError(contactId);
    const doc: ContactExport = { schemaVersion: EXPORT_SCHEMA_VERSION, exportedAt: now.toISOString(), contact: plain(contact) };
    for (const table of CONTACT_TABLES) {
      const delegate = (tx as unknown as Record<string, Delegate>)[delegateName(table.model)];
      if (!delegate) throw new Error(`export: the database client has no model ${table.model}; regenerate it (node scripts/prisma-generate.mjs)`);
      const rows = await delegate.findMany({ where: whereContact(table, contactId) });
      doc[table.section] = rows.map(plain);
    }
    return doc;
  });
}

/** A row with JSON columns parsed and dates as ISO strings. */
function plain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value instanceof Date) out[key] = value.toISOString();
    else if (typeof value === "string" && JSON_COLUMNS.has(key)) out[key] = parseJson(value);
    else out[key] = value;
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON after all: keep it as it is stored
  }
}
