import { createHash } from "node:crypto";
import { PLAYGROUND_ID_PREFIX } from "../../contacts/testContacts";

/** A visitor's token as the widget keeps it in the browser: 22-128 URL-safe characters. */
export const VISITOR_TOKEN = /^(pg\.)?[A-Za-z0-9_-]{22,128}$/;

/**
 * The visitor's id on the webchat channel (`webchat:<id>`): a digest of the secret token the browser
 * keeps, never the token itself. Anyone who sees the id (staff in the console, an export, a log)
 * still cannot write or read as that visitor. Playground tokens (`pg.…`) give `pg-…` ids, so the
 * console can tell its test customers from real ones (reports and campaigns leave them out: see
 * src/contacts/testContacts.ts).
 */
export function visitorIdOf(token: string): string {
  const digest = createHash("sha256").update(token).digest("hex").slice(0, 32);
  return token.startsWith("pg.") ? `${PLAYGROUND_ID_PREFIX}${digest}` : `v-${digest}`;
}

/** True for a playground visitor's id (a console user's test customer). */
export function isPlaygroundVisitor(visitorId: string): boolean {
  return visitorId.startsWith(PLAYGROUND_ID_PREFIX);
}
