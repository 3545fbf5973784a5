import { writeFileSync } from "node:fs";
import type { DataRights } from "../privacy/DataRights";

/**
 * `rapport contacts export <contact> [--out FILE]`: everything Rapport holds about a person as one
 * JSON document (format in README, "Data rights"), on stdout or into FILE (written with mode 0600:
 * it is personal data). Recorded in the audit log as the operator's action.
 */
export async function runContactsExport(rights: DataRights, reference: string, outFile: string | undefined, actor: string, out: NodeJS.WritableStream): Promise<number> {
  const doc = await rights.export(reference, actor);
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (!outFile) {
    out.write(text);
    return 0;
  }
  writeFileSync(outFile, text, { mode: 0o600 });
  const rows = Object.entries(doc).filter(([, v]) => Array.isArray(v)).reduce((n, [, v]) => n + (v as unknown[]).length, 0);
  out.write(`exported contact ${String(doc.contact.id)}: ${rows} rows in ${outFile}\n`);
  return 0;
}
