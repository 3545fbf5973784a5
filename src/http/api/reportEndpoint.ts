import { parsePeriod, PeriodError, type Period } from "../../feedback/period";
import { buildReport } from "../../feedback/report";
import { InvalidFieldError } from "./errors";
import type { Endpoint } from "./loyaltyEndpoints";

/**
 * `GET /api/v1/report?from=…&to=…`: the same figures and JSON as `rapport report --json` (see
 * src/feedback/report.ts), for dashboards. `from`/`to` are read exactly as the CLI reads them
 * (parsePeriod): YYYY-MM-DD or a zoned ISO 8601 date-time, a day as `to` meaning the end of that day,
 * default the 30 days up to now. A bad date is a 400 naming the field. Read-only.
 */
export const getReport: Endpoint = async (app, req) => {
  const query = new URL(req.url ?? "/", "http://localhost").searchParams;
  const period = periodOf(query.get("from") ?? undefined, query.get("to") ?? undefined);
  return { status: 200, body: await buildReport(app.db, period) };
};

/** parsePeriod with its problems as the API's field errors (`invalid_field`, field `from` or `to`). */
function periodOf(from: string | undefined, to: string | undefined): Period {
  try {
    return parsePeriod({ from, to });
  } catch (error) {
    if (error instanceof PeriodError) throw new InvalidFieldError(error.field, error.problem(), "invalid");
    throw error;
  }
}
