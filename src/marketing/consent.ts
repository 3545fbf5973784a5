import type { Database } from "../db/Database";
import type { Tx } from "../db/lockContact";
import { recordInteraction } from "../history/recordInteraction";

/**
 * How a deployment treats customers who never said yes or no to marketing (MARKETING_CONSENT):
 * `opt_in` sends campaigns only to those who agreed (asked in chat, or /subscribe); `opt_out` sends
 * to everyone who has not said /stop. Service messages (a support reply, the CSAT question about
 * one's own ticket, the points of one's own purchase) are not marketing and ignore consent.
 */
export type ConsentMode = "opt_in" | "opt_out";

/** The consent modes, as MARKETING_CONSENT accepts them. */
export const CONSENT_MODES: readonly ConsentMode[] = ["opt_in", "opt_out"];

/** What a contact said about marketing: agreed, refused, or nothing yet (null). */
export type Consent = "granted" | "denied" | null;

/** Where a consent change came from, kept in the history row: the customer in chat, an operator, the API. */
export type ConsentSource = "chat" | "operator" | "api";

/**
 * Why a contact may not receive marketing under `mode`, or undefined when they may: `opted_out`
 * (they said stop, in any mode) or `no_consent` (opt-in mode and they never agreed).
 */
export function consentBlock(mode: ConsentMode, consent: string | null): "opted_out" | "no_consent" | undefined {
  if (consent === "denied") return "opted_out";
  if (mode === "opt_in" && consent !== "granted") return "no_consent";
  return undefined;
}

/**
 * Records a contact's yes or no to marketing: the contact's columns and a `consent.granted` /
 * `consent.denied` row in the history, in one transaction. Saying the same twice changes nothing
 * and writes no second row, so a retried turn or a second /stop keeps the history honest.
 * `within` runs in the same transaction (a flow action stores its answer there). Returns whether it changed.
 */
export async function setConsent(db: Database, contactId: string, consent: "granted" | "denied", source: ConsentSource, now = new Date(), within?: (tx: Tx, changed: boolean) => Promise<void>): Promise<boolean> {
  return db.prisma.$transaction(async (tx) => {
    const before = await tx.contact.findUnique({ where: { id: contactId }, select: { marketingConsent: true } });
    const unchanged = async () => { await within?.(tx, false); return false; };
    if (!before || before.marketingConsent === consent) return unchanged();
    const changed = await tx.contact.updateMany({ where: { id: contactId, marketingConsent: before.marketingConsent }, data: { marketingConsent: consent, marketingConsentAt: now } });
    if (changed.count === 0) return unchanged(); // changed meanwhile by another turn: that one recorded it
    await within?.(tx, true);
    await recordInteraction(tx, contactId, {
      direction: "event", kind: `consent.${consent}`, actor: source === "chat" ? "customer" : "system",
      occurredAt: now, data: { from: before.marketingConsent, to: consent, source },
    });
    return true;
  });
}
