import { bar } from "./bar";
import type { Database } from "../db/Database";
import { SEGMENT_RULES } from "../feedback/rfm";
import { recomputeSegments } from "../feedback/segments";

const BAR_WIDTH = 40;

/**
 * `rapport rfm [--json]`: recomputes the RFM segments now (the sweeper also does it daily) and
 * prints how many contacts each segment holds, as a bar chart, with the rules that name them so an
 * operator can read the chart without the docs. `--json` prints `{ scored, cleared, sizes }`.
 */
export async function runRfm(db: Database, options: { json: boolean }, out: NodeJS.WritableStream, now = new Date()): Promise<number> {
  const run = await recomputeSegments(db, now);
  if (options.json) {
    out.write(`${JSON.stringify(run)}\n`);
    return 0;
  }
  const names = Object.keys(run.sizes);
  const width = Math.max("segment".length, ...names.map((n) => n.length));
  const largest = Math.max(0, ...Object.values(run.sizes));
  const digits = Math.max("contacts".length, String(largest).length);
  out.write(`${"segment".padEnd(width)}  ${"contacts".padStart(digits)}\n`);
  for (const name of names) {
    const count = run.sizes[name]!;
    // Scaled to the largest segment; a segment with anyone in it always gets at least one block.
    out.write(`${name.padEnd(width)}  ${String(count).padStart(digits)}  ${bar(count, largest, BAR_WIDTH)}`.trimEnd() + "\n");
  }
  out.write(`${run.scored} customer${run.scored === 1 ? "" : "s"} scored, ${run.cleared} segment${run.cleared === 1 ? "" : "s"} cleared (no purchase left after refunds)\n\n`);
  out.write("rules (first match wins; R, F, M score recency, frequency and spend 1-5 by quintile among customers):\n");
  for (const rule of SEGMENT_RULES) out.write(`  ${rule.segment.padEnd(width)}  ${rule.when}\n`);
  return 0;
}
