import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Database } from "../../db/Database";
import { isConsoleRole, type ConsoleRole } from "./roles";

/** The cookie holding a console session's token. */
export const SESSION_COOKIE = "rapport_console";

/** A session lasts a working day; then the user signs in again. */
export const SESSION_TTL_MS = 12 * 3_600_000;

/** A signed-in user's session, as routes see it. */
export interface ConsoleSession {
  /** SHA-256 of the cookie's token (the stored id). */
  id: string;
  user: string;
  role: ConsoleRole;
  /** Must come back with every state-changing request (form field `_csrf` or header X-CSRF-Token). */
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Console sessions, stored in the database so several instances behind a load balancer share them.
 * The browser holds a random 256-bit token in an HttpOnly, SameSite=Strict cookie; the database holds
 * only its hash, so reading the table signs nobody in.
 */
export class ConsoleSessions {
  constructor(private readonly db: Database, private readonly clock: () => Date = () => new Date()) {}

  /** Starts a session; returns the cookie's token and the session. */
  async create(user: string, role: ConsoleRole): Promise<{ token: string; session: ConsoleSession }> {
    const token = randomBytes(32).toString("base64url");
    const now = this.clock();
    const session: ConsoleSession = { id: digest(token), user, role, csrfToken: randomBytes(24).toString("base64url"), expiresAt: new Date(now.getTime() + SESSION_TTL_MS) };
    await this.db.prisma.consoleSession.create({ data: { id: session.id, userName: user, role, csrfToken: session.csrfToken, createdAt: now, expiresAt: session.expiresAt } });
    // Expired sessions go when someone signs in: no timer needed, the table stays small.
    await this.db.prisma.consoleSession.deleteMany({ where: { expiresAt: { lt: now } } });
    return { token, session };
  }

  /** The session a request's cookie names, if it exists and has not expired. */
  async find(req: IncomingMessage): Promise<ConsoleSession | undefined> {
    const token = readCookie(req, SESSION_COOKIE);
    if (!token || token.length > 100) return undefined;
    const row = await this.db.prisma.consoleSession.findUnique({ where: { id: digest(token) } });
    if (!row || row.expiresAt <= this.clock() || !isConsoleRole(row.role)) return undefined;
    return { id: row.id, user: row.userName, role: row.role, csrfToken: row.csrfToken, expiresAt: row.expiresAt };
  }

  /** Ends a session (sign-out). */
  async end(id: string): Promise<void> {
    await this.db.prisma.consoleSession.deleteMany({ where: { id } });
  }
}

/** One cookie's value from a request, or undefined. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The Set-Cookie value for a session token (or for clearing it with maxAgeSeconds 0). HttpOnly (no
 * script reads it), SameSite=Strict (no other site sends it), Path=/console, and Secure whenever the
 * console is reached over HTTPS or by a name other than the loopback: only a try-out on
 * http://localhost goes without it, since browsers would drop a Secure cookie sent over plain HTTP.
 */
export function sessionCookie(token: string, req: IncomingMessage, maxAgeSeconds = SESSION_TTL_MS / 1000): string {
  const secure = isHttps(req) || !isLoopbackHost(req.headers.host);
  return `${SESSION_COOKIE}=${token}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`;
}

/** True when the request came over TLS, here or at a proxy in front (X-Forwarded-Proto). */
export function isHttps(req: IncomingMessage): boolean {
  return Boolean((req.socket as { encrypted?: boolean }).encrypted) || String(req.headers["x-forwarded-proto"] ?? "").split(",")[0]!.trim() === "https";
}

function isLoopbackHost(host: string | undefined): boolean {
  const name = (host ?? "").replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return name === "localhost" || name === "::1" || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function digest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
