import { setFlagsFromString } from "node:v8";

/**
 * How far V8 lets the heap grow past what survived the last full collection before it collects
 * again, in percent, while `rapport purchases import` runs. Measured side by side on 200,000 rows
 * (SQLite, load 7-9): V8's own choice 14,100-15,300 rows per CPU second at 210-216 MB peak anonymous
 * RSS; 100 % 14,500-15,600 at 147-150 MB; 50 % 13,900-14,100 at 128-137 MB; 25 % 12,800-14,400 at
 * 120-130 MB.
 */
export const IMPORT_HEAP_GROWING_PERCENT = 100;

/**
 * Sizes V8's heap for the import (issue 17: constant memory on a file of a million rows). The import
 * keeps little (one chunk of 500 orders, the next read ahead, the contact cache: ~30-40 MB of heap
 * after a full collection), but each chunk's rows live across a few young-generation collections
 * and are promoted, so the old generation fills with garbage; V8 then lets it grow up to 4× what
 * survived before collecting (its default for a process that allocates fast), and the process's
 * memory rose with the file: 293 MB anonymous RSS at 100,000 rows, 366 MB at 1,000,000. At 100 %
 * the old generation is collected when it is twice the live set, so memory stays near that
 * whatever the file's size (bench/README.md "Purchase import" has the figures). A heap limit
 * (--max-old-space-size) would do it too, but fails the import with "out of memory" on a shop whose
 * live set is larger (the contact cache holds up to 100,000 customers); this only collects sooner.
 * A process-wide setting, so only the CLI command calls it; the import's tests leave V8 alone.
 */
export function sizeHeapForImport(): void {
  setFlagsFromString(`--heap-growing-percent=${IMPORT_HEAP_GROWING_PERCENT}`);
}
