import { existsSync } from "node:fs";
import { RapportError } from "../core/errors";
import { dialectOf, sqlitePath } from "./Database";

/** How long a PostgreSQL server gets to accept a connection and answer before it counts as unreachable. */
export const REACH_TIMEOUT_MS = 5_000;

/**
 * DATABASE_URL names an SQLite file that is not there. Commands other than `start` refuse it: a typo
 * in the path would otherwise create an empty database and report "0 waiting", which looks true.
 */
export class DatabaseNotFoundError extends RapportError {
  readonly code = "rapport_db_not_found";
  constructor(readonly path: string, url: string) {
    super(`DATABASE_URL: there is no SQLite database at ${path} (${url})\n  hint: check the path; \`npm start\` (rapport start) creates and migrates a new database there`);
  }
}

/** The PostgreSQL server in DATABASE_URL did not answer; says which server (never the password) and why. */
export class DatabaseUnreachableError extends RapportError {
  readonly code = "rapport_db_unreachable";
  constructor(readonly server: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`DATABASE_URL: cannot reach PostgreSQL at ${server}: ${reason}\n  hint: check DATABASE_URL and that the server is running and accepts connections from here`, options);
  }
}

/**
 * Checks, before a command opens the database, that it is there: an SQLite file must exist (unless
 * `create`), a PostgreSQL server must accept a connection and answer `SELECT 1` within 5 s. Without
 * this, commands waited through 30 s of retries in silence (issue 14); the retries stay for the
 * running bot, where a database that comes back should be waited for.
 */
export async function checkDatabase(url: string, options: { create?: boolean } = {}): Promise<void> {
  if (dialectOf(url) === "sqlite") {
    const path = sqlitePath(url);
    if (path !== ":memory:" && !options.create && !existsSync(path)) throw new DatabaseNotFoundError(path, url);
    return;
  }
  const { default: pg } = await import("pg");
  const server = describeServer(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: REACH_TIMEOUT_MS, query_timeout: REACH_TIMEOUT_MS });
  client.on("error", () => { /* reported through connect() or query() */ });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })), REACH_TIMEOUT_MS + 500);
  });
  try {
    await Promise.race([client.connect().then(() => client.query("SELECT 1")), deadline]);
  } catch (error) {
    throw new DatabaseUnreachableError(server, reasonOf(error, server), { cause: error });
  } finally {
    clearTimeout(timer);
    void client.end().catch(() => undefined);
  }
}

/** `host:port/database` of a PostgreSQL URL, without user or password. */
export function describeServer(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || "localhost"}:${u.port || "5432"}${u.pathname && u.pathname !== "/" ? u.pathname : ""}`;
  } catch {
    return "(unparseable URL)";
  }
}

/** The reason an operator can act on, from a driver error. */
function reasonOf(error: unknown, server: string): string {
  const e = error as { code?: string; message?: string };
  const host = server.split(":")[0];
  switch (e.code) {
    case "ECONNREFUSED": return "connection refused (nothing listens on that port: is PostgreSQL running?)";
    case "ENOTFOUND": case "EAI_AGAIN": return `host ${host} not found`;
    case "ETIMEDOUT": case "EHOSTUNREACH": case "ENETUNREACH": return `no answer within ${REACH_TIMEOUT_MS / 1000} s (a firewall, or the wrong host?)`;
    case "28P01": case "28000": return `the server refused the login: ${e.message}`;
    case "3D000": return `${e.message} (create it, or fix the name in the URL)`;
    default:
      if (/timeout/i.test(e.message ?? "")) return `no answer within ${REACH_TIMEOUT_MS / 1000} s (a firewall, or the wrong host?)`;
      if (/terminated unexpectedly/i.test(e.message ?? "")) return "the server closed the connection at once (is it a PostgreSQL server, and does it accept this client?)";
      return e.message ?? String(error);
  }
}
