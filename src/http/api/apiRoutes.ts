import type { App } from "../../app/createApp";
import type { Logger } from "../../core/log";
import { sendJson, type Route } from "../server";
import { bearerAuth, requireScope } from "./bearerAuth";
import { FailedAuthLimiter } from "./FailedAuthLimiter";
import { getErasePlan, getExport, postErase } from "./privacyEndpoints";
import type { ApiKey, ApiScope } from "./scopes";
import { recordAudit } from "../../audit/record";
import { withDbRetry } from "../../db/retry";
import { ApiError, InvalidFieldError } from "./errors";
import { checkValue } from "./fieldChecks";
import { getPoints, postPurchase, postRefund, type Endpoint } from "./loyaltyEndpoints";
import { getReport } from "./reportEndpoint";
import { getCampaigns, getPreview, getStatus, postChange, postSend } from "./campaignEndpoints";
import { toApiError } from "./toApiError";

/**
 * The endpoints under /api/v1: a path pattern (capturing parameters), and per method the handler and
 * the scope a key needs for it (issue 16: a shop's key reports purchases and cannot export people).
 */
const ENDPOINTS: { pattern: RegExp; methods: Record<string, { run: Endpoint; scope: ApiScope }> }[] = [
  { pattern: /^\/purchases$/, methods: { POST: { run: postPurchase, scope: "purchases" } } },
  { pattern: /^\/refunds$/, methods: { POST: { run: postRefund, scope: "purchases" } } },
  { pattern: /^\/contacts\/([^/]+)\/points$/, methods: { GET: { run: getPoints, scope: "read" } } },
  { pattern: /^\/contacts\/([^/]+)\/export$/, methods: { GET: { run: getExport, scope: "export" } } },
  { pattern: /^\/contacts\/([^/]+)\/erase$/, methods: { GET: { run: getErasePlan, scope: "erase" }, POST: { run: postErase, scope: "erase" } } },
  { pattern: /^\/report$/, methods: { GET: { run: getReport, scope: "read" } } },
  { pattern: /^\/campaigns$/, methods: { GET: { run: getCampaigns, scope: "campaigns" } } },
  { pattern: /^\/campaigns\/([^/]+)$/, methods: { GET: { run: getStatus, scope: "campaigns" } } },
  { pattern: /^\/campaigns\/([^/]+)\/preview$/, methods: { GET: { run: getPreview, scope: "campaigns" } } },
  { pattern: /^\/campaigns\/([^/]+)\/send$/, methods: { POST: { run: postSend, scope: "campaigns" } } },
  { pattern: /^\/campaigns\/([^/]+)\/(pause|resume|cancel)$/, methods: { POST: { run: postChange, scope: "campaigns" } } },
];

const PREFIX = "/api/v1";

/**
 * The shop-facing API (issue #6: purchases, refunds, points) and the feedback report. Without a key
 * every request gets 503, so an API left unconfigured is visibly off rather than open; with one, a
 * request needs `Authorization: Bearer <key>` before anything else is looked at, paths included.
 * Refusals are JSON `{error, field?, message}` and write nothing.
 */
export function apiRoutes(app: App, apiKeys: ApiKey[] | string | undefined, log: Logger, limiter = new FailedAuthLimiter()): Route {
  const authorize = apiKeys && apiKeys.length > 0 ? bearerAuth(apiKeys, limiter) : undefined;
  return async (req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return false;
    try {
      if (!authorize) throw new ApiError(503, "api_disabled", "set RAPPORT_API_KEY to enable the API");
      const key = authorize(req);
      const sub = path.slice(PREFIX.length);
      const endpoint = ENDPOINTS.find((e) => e.pattern.test(sub));
      if (!endpoint) throw new ApiError(404, "not_found", `no endpoint ${PREFIX}${sub}; see README.md, "HTTP API"`);
      const handler = endpoint.methods[req.method ?? ""];
      const allow = Object.keys(endpoint.methods).join(", ");
      if (!handler) throw new ApiError(405, "method_not_allowed", `${req.method} is not accepted here; use ${allow}`, undefined, { allow });
      requireScope(key, handler.scope);
      const params = endpoint.pattern.exec(sub)!.slice(1).map(decodeParam);
      const caller = { keyName: key.name, actor: `api:${key.name}` };
      const reply = await handler.run(app, req, params, caller);
      if (reply.audit) {
        const a = reply.audit;
        await withDbRetry(() => recordAudit(app.db.prisma, { actor: caller.actor, action: a.action, target: a.target, detail: a.detail }));
      }
      sendJson(res, reply.status, reply.body);
    } catch (error) {
      const refusal = toApiError(error);
      if (!refusal) throw error; // a fault, not a bad request: the server logs it and answers 500
      if (refusal.status === 401 || refusal.status === 429) log.warn("API request refused: missing or wrong API key", { method: req.method, path, remote: req.socket.remoteAddress });
      else log.debug("API request refused", { method: req.method, path, status: refusal.status, error: refusal.apiCode, field: refusal.field });
      for (const [name, value] of Object.entries(refusal.headers)) res.setHeader(name, value);
      sendJson(res, refusal.status, refusal.body());
    }
    return true;
  };
}

/** URL-decodes a path parameter (`telegram%3A42` and `telegram:42` both work); `%00` is refused like a NUL in a body. */
function decodeParam(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new InvalidFieldError("customer", `"${raw}" is not valid URL encoding`, "invalid");
  }
  return checkValue("customer", String, decoded);
}
