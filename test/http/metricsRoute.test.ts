/** `GET /metrics` answers Prometheus only with the bearer token; other paths pass through. */
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/log";
import { HttpServer } from "../../src/http/server";
import { metricsRoute } from "../../src/http/metricsRoute";
import type { Metrics } from "../../src/metrics/prometheus";

const servers: HttpServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(0); });
const TOKEN = "t".repeat(32);

describe("metricsRoute", () => {
  it("serves the exposition text with the token, 401 without it or with another, and leaves other paths alone", async () => {
    const metrics = { contentType: "text/plain; version=0.0.4; charset=utf-8", render: async () => "rapport_up 1\n" } as unknown as Metrics;
    const http = new HttpServer(silentLogger);
    http.use(metricsRoute(metrics, TOKEN));
    servers.push(http);
    const base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}`;
    const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect([ok.status, ok.headers.get("content-type"), await ok.text()]).toEqual([200, "text/plain; version=0.0.4; charset=utf-8", "rapport_up 1\n"]);
    for (const authorization of [undefined, `Bearer ${"x".repeat(32)}`, `Bearer ${TOKEN}x`, TOKEN]) {
      const refused = await fetch(`${base}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(refused.status, String(authorization)).toBe(401);
      expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="rapport metrics"');
      expect(await refused.text()).not.toContain("rapport_up");
    }
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });
});
