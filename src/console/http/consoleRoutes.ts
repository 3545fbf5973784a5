import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { App } from "../../app/createApp";
import { recordAudit } from "../../audit/record";
import type { Logger } from "../../core/log";
import { withDbRetry } from "../../db/retry";
import { FailedAuthLimiter } from "../../http/api/FailedAuthLimiter";
import { ApiError } from "../../http/api/errors";
import { BodyTooLargeError } from "../../http/readBodyText";
import type { Route } from "../../http/server";
import type { ConsoleUsers } from "../auth/ConsoleUsers";
import { can, type ConsolePermission } from "../auth/roles";
import { isHttps, sessionCookie, type ConsoleSession, type ConsoleSessions } from "../auth/sessions";
import { forbiddenPage, notFoundPage, signInPage } from "../pages/signIn";
import { sendAsset } from "./assets";
import { readForm } from "./form";
import { html } from "./html";
import { page } from "./layout";
import { redirect, sendHtml } from "./respond";

/** What a console page handler gets: the request, the signed-in session, the form (POST) and path captures. */
export interface ConsoleRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  session: ConsoleSession;
  /** The posted fields (POST only; empty for GET). */
  form: Map<string, string>;
  params: string[];
  /** The audit actor for this user: `console:<name>`. */
  actor: string;
}

/** One console page or action: method, path pattern (captures become `params`), the permission it needs. */
export interface ConsolePage {
  method: "GET" | "POST";
  pattern: RegExp;
  needs: ConsolePermission;
  /** What the user was trying to do, for the "not allowed" page ("erase contacts"). */
  what: string;
  handle(c: ConsoleRequest): Promise<void> | void;
}

/** What the console's routes need besides the app. */
export interface ConsoleDeps {
  app: App;
  users: ConsoleUsers;
  sessions: ConsoleSessions;
  log: Logger;
  pages: ConsolePage[];
  limiter?: FailedAuthLimiter;
}

/** The audit actor for a console user. */
export function consoleActor(user: string): string {
  return `console:${user}`;
}

/**
 * The browser console under /console (issue 18). Without a session every page redirects to the
 * sign-in form and every other request gets 401: no sign-in, no data. Every POST must carry the
 * session's CSRF token (form field `_csrf` or header X-CSRF-Token) and, when the browser sends one,
 * an Origin equal to the console's own; the sign-in form itself is checked by Origin and SameSite.
 * Static files (CSS, script) are public: they hold no data.
 */
export function consoleRoutes(deps: ConsoleDeps): Route {
  const limiter = deps.limiter ?? new FailedAuthLimiter();
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://console.invalid");
    const path = url.pathname;
    if (path !== "/console" && !path.startsWith("/console/")) return false;
    if (path.startsWith("/console/assets/") && req.method === "GET") {
      if (!sendAsset(res, path.slice("/console/assets/".length))) sendHtml(res, 404, notFoundPage(undefined));
      return true;
    }
    if (path === "/console/sign-in") {
      await signIn(deps, limiter, req, res, url);
      return true;
    }
    const session = await withDbRetry(() => deps.sessions.find(req));
    if (!session) {
      if (req.method === "GET" && !path.startsWith("/console/api/")) redirect(res, `/console/sign-in?next=${encodeURIComponent(path + url.search)}`);
      else sendHtml(res, 401, html`<p>Sign in first.</p>`);
      return true;
    }
    let form = new Map<string, string>();
    if (req.method === "POST") {
      try {
        form = await readForm(req);
      } catch (error) {
        if (error instanceof BodyTooLargeError) sendHtml(res, 413, html`<p role="alert">That is too much text.</p>`);
        else sendHtml(res, 400, html`<p role="alert">The form could not be read.</p>`);
        return true;
      }
      if (!sameOrigin(req) || !tokenMatches(req.headers["x-csrf-token"] ?? form.get("_csrf"), session.csrfToken)) {
        deps.log.warn("console: refused a request without its CSRF token", { path, user: session.user });
        sendHtml(res, 403, page("Refused", session, html`<p role="alert">This request did not come from a console page (its security token is missing or old). Reload the page and try again.</p>`));
        return true;
      }
    }
    if (path === "/console/sign-out" && req.method === "POST") {
      await deps.sessions.end(session.id);
      await withDbRetry(() => recordAudit(deps.app.db.prisma, { actor: consoleActor(session.user), action: "console.sign_out", target: { type: "console_user", id: session.user } }));
      redirect(res, "/console/sign-in", { "set-cookie": sessionCookie("", req, 0) });
      return true;
    }
    if (path === "/console" || path === "/console/") {
      redirect(res, can(session.role, "tickets") ? "/console/tickets" : "/console/flows");
      return true;
    }
    for (const p of deps.pages) {
      const m = p.pattern.exec(path);
      if (!m || p.method !== req.method) continue;
      if (!can(session.role, p.needs)) {
        sendHtml(res, 403, forbiddenPage(session, p.what));
        return true;
      }
      await p.handle({ req, res, url, session, form, params: m.slice(1).map((s) => decodeURIComponent(s)), actor: consoleActor(session.user) });
      return true;
    }
    sendHtml(res, 404, notFoundPage(session));
    return true;
  };
}

async function signIn(deps: ConsoleDeps, limiter: FailedAuthLimiter, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const insecure = !isHttps(req) && !/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(req.headers.host ?? "");
  if (req.method === "GET") return sendHtml(res, 200, signInPage(safeNext(url.searchParams.get("next")), undefined, insecure));
  if (req.method !== "POST") return sendHtml(res, 405, signInPage("/console"), { allow: "GET, POST" });
  const form = await readForm(req).catch(() => new Map<string, string>());
  const next = safeNext(form.get("next") ?? null);
  if (!sameOrigin(req)) return sendHtml(res, 403, signInPage(next, "This sign-in did not come from the console's own page."));
  const address = req.socket.remoteAddress ?? "unknown";
  try {
    limiter.check(address);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return sendHtml(res, 429, signInPage(next, "Too many wrong passwords from this address. Wait a minute, then try again."), { "retry-after": String(error.headers["retry-after"] ?? 60) });
  }
  const name = (form.get("name") ?? "").trim().slice(0, 64);
  const user = await deps.users.authenticate(name, form.get("password") ?? "");
  if (!user) {
    limiter.fail(address);
    await withDbRetry(() => recordAudit(deps.app.db.prisma, { actor: "anonymous", action: "console.sign_in_failed", target: { type: "console_user", id: name || null } }));
    deps.log.warn("console: wrong user name or password", { remote: address });
    return sendHtml(res, 401, signInPage(next, "Wrong user name or password."));
  }
  limiter.succeed(address);
  const { token } = await deps.sessions.create(user.name, user.role);
  await withDbRetry(() => recordAudit(deps.app.db.prisma, { actor: consoleActor(user.name), action: "console.sign_in", target: { type: "console_user", id: user.name }, detail: { role: user.role } }));
  redirect(res, next, { "set-cookie": sessionCookie(token, req) });
}

/** Only a console path may follow sign-in (never another site: an open redirect helps phishing). */
function safeNext(next: string | null): string {
  return next && /^\/console(\/[^\\]*)?$/.test(next) && !next.startsWith("//") ? next : "/console";
}

/** An Origin header, when the browser sends one, must name this server (Host). */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // old browsers and curl; the CSRF token still guards
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function tokenMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

