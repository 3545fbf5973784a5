import { readFileSync } from "node:fs";
import { getHeapSpaceStatistics } from "node:v8";

/** Set to print where the memory is (memoryDetail) at the peak, after each half's collection and at the end, on stderr. */
export const MEMORY_DETAIL_ENV = "BENCH_MEMORY_DETAIL";

const KB = 1024;

/** One mapping of /proc/self/smaps, in kB. */
interface Mapping { start: number; perms: string; path: string; sizeKb: number; rssKb: number }

function mappings(): Mapping[] {
  const out: Mapping[] = [];
  let cur: Mapping | undefined;
  for (const line of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const start = parseInt(head[1]!, 16);
      cur = { start, perms: head[3]!, path: head[4] ?? "", sizeKb: (parseInt(head[2]!, 16) - start) / KB, rssKb: 0 };
      out.push(cur);
    } else if (cur && line.startsWith("Rss:")) {
      cur.rssKb = Number(/(\d+)/.exec(line)?.[1]);
    }
  }
  return out;
}

/** What a mapping is, from its shape (Linux, glibc, V8 on x64). */
function kindOf(mp: Mapping, next: Mapping | undefined): string {
  if (mp.path.startsWith("/")) return `file ${mp.path.split("/").at(-1)} ${mp.perms}`;
  if (mp.path) return mp.path === "[heap]" ? "[heap] (malloc's main arena)" : mp.path;
  const reservedAfter = next && !next.path && next.perms === "---p";
  // A Wasm memory is its accessible part followed by a reservation of gigabytes (guard region).
  if (mp.perms === "rw-p" && reservedAfter && next.sizeKb >= KB * KB) return "Wasm memory (Prisma's query compiler)";
  // glibc's other arenas (one per thread that allocated, up to 8 per core) are 64 MB-aligned reservations.
  if (mp.perms === "rw-p" && reservedAfter && mp.start % (64 * KB * KB) === 0) return "malloc thread arenas";
  if (mp.perms.includes("x")) return "anonymous executable (V8 code, Wasm code)";
  if (mp.sizeKb === 256) return "V8 heap pages (256 kB)";
  return `anonymous other ${mp.perms}`;
}

/**
 * Where the process's resident memory is right now: process.memoryUsage(), V8's spaces (committed /
 * used MB), and /proc/self/smaps grouped by kind of mapping (MB resident). For bench/README.md's
 * "where the memory goes"; Linux only.
 */
export function memoryDetail(): string {
  const m = process.memoryUsage();
  const mb = (b: number) => (b / KB / KB).toFixed(1);
  const lines = [`rss ${mb(m.rss)} heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)}`];
  lines.push("V8 spaces (committed/used): " + getHeapSpaceStatistics().filter((s) => s.space_size > 0).map((s) => `${s.space_name} ${mb(s.space_size)}/${mb(s.space_used_size)}`).join(", "));
  const groups = new Map<string, { rssKb: number; n: number }>();
  const maps = mappings();
  maps.forEach((mp, i) => {
    const kind = kindOf(mp, maps[i + 1]);
    const g = groups.get(kind) ?? { rssKb: 0, n: 0 };
    g.rssKb += mp.rssKb;
    g.n++;
    groups.set(kind, g);
  });
  for (const [kind, g] of [...groups].sort((a, b) => b[1].rssKb - a[1].rssKb)) {
    if (g.rssKb >= 512) lines.push(`  ${(g.rssKb / KB).toFixed(1).padStart(6)} MB  ${kind} (${g.n} mappings)`);
  }
  return lines.join("\n");
}
