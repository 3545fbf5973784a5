import type { ServerResponse } from "node:http";
import type { Raw } from "./html";

/**
 * Headers on every console answer: a Content-Security-Policy allowing only the console's own files
 * (no inline script, nothing from another origin: the console works offline and an injected string
 * could not run), no framing, no sniffing, no referrer to other sites, and no caching of pages holding customer data.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin", // not no-referrer: with it browsers send `Origin: null`, and the CSRF check needs the origin
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

/** Sends an HTML page or fragment. */
export function sendHtml(res: ServerResponse, status: number, body: Raw, headers: Record<string, string> = {}): void {
  const text = body.value;
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Redirects with 303 (a POST's answer becomes a GET of `location`). */
export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location, ...headers });
  res.end();
}

/** Sends a download (CSV, JSON) as an attachment named `fileName`. */
export function sendDownload(res: ServerResponse, fileName: string, contentType: string, body: string): void {
  res.writeHead(200, { ...SECURITY_HEADERS, "content-type": contentType, "content-disposition": `attachment; filename="${fileName.replace(/[^\w.-]/g, "_")}"`, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Sends plain text (a refusal a download link gets: the browser shows it as is). */
export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
