import { createHash, randomInt } from "node:crypto";
import type { Database } from "../db/Database";
import type { Tx } from "../db/lockContact";

/** How long a join code works: long enough to open Telegram on a phone. */
export const LINK_CODE_TTL_MS = 15 * 60_000;

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I: read off a screen and typed

/** A new join code for a web chat visitor. */
export interface LinkCode {
  code: string;
  expiresAt: string;
}

/**
 * Makes a one-time code that joins a web chat visitor's contact to their Telegram chat (`/start
 * web-<code>`, flows/link-web.yaml). Only the code's SHA-256 is stored; it works once, for 15 minutes.
 * Undefined when the visitor has not written yet (there is nothing to join).
 */
export async function createLinkCode(db: Database, visitorId: string, now = new Date()): Promise<LinkCode | undefined> {
  const identity = await db.prisma.channelIdentity.findUnique({ where: { channel_externalId: { channel: "webchat", externalId: visitorId } } });
  if (!identity) return undefined;
  const code = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
  await db.prisma.webchatLinkCode.create({ data: { codeHash: digest(code), contactId: identity.contactId, createdAt: now, expiresAt } });
  return { code, expiresAt: expiresAt.toISOString() };
}

/**
 * Joins the web chat contact a code was made for into `contactId` (the Telegram contact that sent
 * `/start web-<code>`): its web chat identities and its history move over, so the visitor's next
 * message in the widget lands on the same contact, with one timeline. Points, tickets and other
 * rows of the web chat contact stay where they are (merging balances is a ledger operation of its
 * own). False when the code is unknown, used, expired, or already this contact's.
 */
export async function redeemLinkCode(db: Database, code: string, contactId: string, now = new Date(), store?: (tx: Tx, linked: boolean) => Promise<void>): Promise<boolean> {
  const hash = digest(code.trim().toUpperCase());
  return db.prisma.$transaction(async (tx) => {
    const row = await tx.webchatLinkCode.findUnique({ where: { codeHash: hash } });
    if (!row || row.usedAt || row.expiresAt <= now || row.contactId === contactId) return false;
    const claimed = await tx.webchatLinkCode.updateMany({ where: { codeHash: hash, usedAt: null }, data: { usedAt: now } });
    if (claimed.count !== 1) return false; // redeemed meanwhile
    await tx.channelIdentity.updateMany({ where: { contactId: row.contactId, channel: "webchat" }, data: { contactId } });
    await tx.interaction.updateMany({ where: { contactId: row.contactId }, data: { contactId } });
    await store?.(tx as unknown as Tx, true); // a re-run of the turn answers "linked" instead of "used already"
    return true;
  });
}

function digest(code: string): string {
  return createHash("sha256").update(code).digest("hex");
}
