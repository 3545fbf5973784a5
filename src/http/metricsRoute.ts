import { timingSafeEqual } from "node:crypto";
import type { Metrics } from "../metrics/prometheus";
import { sendJson, type Route } from "./server";

/**
 * `GET /metrics` for Prometheus, only with `Authorization: Bearer <METRICS_TOKEN>`: the figures tell
 * an outsider how busy the shop is, and the route shares PORT with the webhooks. Without the header
 * or with another token: 401 (and no figures).
 */
export function metricsRoute(metrics: Metrics, token: string): Route {
  const expected = Buffer.from(`Bearer ${token}`);
  return async (req, res) => {
    if (req.url?.split("?")[0] !== "/metrics" || req.method !== "GET") return false;
    const given = Buffer.from(req.headers.authorization ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.setHeader("www-authenticate", 'Bearer realm="rapport metrics"');
      sendJson(res, 401, { error: "unauthorized", message: "send Authorization: Bearer <METRICS_TOKEN>" });
      return true;
    }
    const text = await metrics.render();
    res.writeHead(200, { "content-type": metrics.contentType, "content-length": Buffer.byteLength(text) });
    res.end(text);
    return true;
  };
}
