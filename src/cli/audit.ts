import { auditRows } from "../audit/query";
import { parseIsoInstant } from "../core/isoInstant";
import type { Prisma } from "../db/Database";
import { UsageError } from "./UsageError";

/** Options of `rapport audit`, as typed. */
export interface AuditOptions {
  since?: string;
  actor?: string;
  json?: boolean;
  limit?: number;
}

/**
 * `rapport audit [--since DATE] [--actor A] [--json]`: who did what, when, to which record, oldest
 * first (with neither filter nor --limit, the last 200). One line each; `--json` one JSON document.
 */
export async function runAudit(prisma: Prisma, options: AuditOptions, out: NodeJS.WritableStream): Promise<number> {
  let since: Date | undefined;
  if (options.since !== undefined) {
    const parsed = parseIsoInstant(options.since);
    if (!parsed.ok) throw new UsageError(`--since: "${options.since}" is not a date; use YYYY-MM-DD (a UTC day) or an ISO 8601 date-time with a zone, e.g. 2024-05-01T10:00:00Z`);
    since = parsed.at;
  }
  const limit = options.limit ?? (since === undefined && options.actor === undefined ? 200 : undefined);
  const rows = await auditRows(prisma, { since, actor: options.actor, limit });
  if (options.json) {
    out.write(`${JSON.stringify({ entries: rows })}\n`);
    return 0;
  }
  for (const r of rows) {
    const detail = r.detail ? ` ${Object.entries(r.detail).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ")}` : "";
    out.write(`${r.at}  ${r.actor.padEnd(18)}  ${r.action.padEnd(18)}  ${r.target.type}${r.target.id ? ` ${r.target.id}` : ""}${detail}\n`);
  }
  out.write(`${rows.length} entr${rows.length === 1 ? "y" : "ies"}${limit !== undefined && rows.length === limit ? ` (the last ${limit}; use --since for more)` : ""}\n`);
  return 0;
}
