import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerResponse } from "node:http";
import { SECURITY_HEADERS } from "./respond";

const TYPES: Record<string, string> = { css: "text/css; charset=utf-8", js: "text/javascript; charset=utf-8", svg: "image/svg+xml" };

/**
 * The folder of the console's and the widget's static files (src/console/assets/: plain CSS and
 * JavaScript, shipped with the package, nothing fetched from elsewhere). Found by walking up to the
 * project's package.json, so it works from src/ (tests, tsx) and from a build in dist/<id>/.
 */
export function assetsDir(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json"))) return join(dir, "src", "console", "assets");
    dir = dirname(dir);
  }
  throw new Error(`console assets: no package.json above ${from}`);
}

const cache = new Map<string, Buffer>();

/**
 * Serves one asset by name (letters, digits, - and . only: no path can leave the folder). Cached in
 * memory after the first read; browsers revalidate each hour.
 */
export function sendAsset(res: ServerResponse, name: string, extraHeaders: Record<string, string> = {}): boolean {
  const m = /^([a-z0-9-]+)\.(css|js|svg)$/.exec(name);
  if (!m) return false;
  let body = cache.get(name);
  if (!body) {
    const file = join(assetsDir(), name);
    if (!existsSync(file)) return false;
    body = readFileSync(file);
    cache.set(name, body);
  }
  res.writeHead(200, { ...SECURITY_HEADERS, "cache-control": "public, max-age=3600", "content-type": TYPES[m[2]!]!, "content-length": body.length, ...extraHeaders });
  res.end(body);
  return true;
}
