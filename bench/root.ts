import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The project folder: the nearest folder above this module holding package.json. The bench runs
 * compiled from dist/bench/ (bench/build.mjs) and, for profiling, from bench/ through tsx; a fixed
 * `..` would be right in only one of them.
 */
export const ROOT = findRoot(import.meta.dirname);

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
