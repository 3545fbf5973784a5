import { newId } from "../../src/core/ids";
import { openDatabase } from "../../src/db/Database";
import { migrate } from "../../src/db/migrate";

/** The first Telegram chat id of the campaign's audience; contact i has chat AUDIENCE_CHAT + i. */
export const AUDIENCE_CHAT = 1_000_000;
const LOCALES = ["en", "ru", "pl", "vi", "zh-CN", "zh-TW"];

/**
 * Migrates a fresh database and adds `n` Telegram customers the shipped `winback` campaign selects:
 * in the at_risk segment, quiet for months (they never wrote), marketing consent granted, in the six
 * languages in turn; segments computed just now, so the daily RFM pass leaves them be. Written
 * directly, in chunks: the bench measures sending, not sign-ups.
 */
export async function seedAudience(url: string, n: number): Promise<void> {
  const db = await openDatabase(url);
  try {
    await migrate(db);
    const now = new Date(Date.now() - 200 * 86_400_000);
    for (let i = 0; i < n; i += 1000) {
      const ids = Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ id: newId(), chat: String(AUDIENCE_CHAT + i + k), k: i + k }));
      await db.prisma.contact.createMany({ data: ids.map((c) => ({ id: c.id, displayName: `Customer ${c.chat}`, locale: LOCALES[c.k % LOCALES.length]!, segment: "at_risk", segmentAt: new Date(), marketingConsent: "granted", createdAt: now })) });
      await db.prisma.channelIdentity.createMany({ data: ids.map((c) => ({ channel: "telegram", externalId: c.chat, contactId: c.id, createdAt: now })) });
    }
  } finally {
    await db.close();
  }
}
