import { appendFileSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/Database";
import { migrate, MIGRATIONS_DIR, MigrationDriftError } from "../../src/db/migrate";
import { sql } from "../../src/db/plan";
import { dropDatabase, freshDatabaseUrl, testDialect } from "../helpers/database";

const opened: Database[] = [];
let url: string | undefined;
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
  if (url) await dropDatabase(url);
  url = undefined;
});
async function open(u: string) { const db = await openDatabase(u); opened.push(db); return db; }

describe(`migrate (${testDialect})`, () => {
  it("applies the checked-in migrations once, and every model works through Prisma", async () => {
    url = await freshDatabaseUrl({ empty: true });
    const db = await open(url);
    expect(await migrate(db)).toEqual(["0001_init.sql", "0002_hot_path_indexes.sql", "0003_handled_messages.sql", "0004_loyalty.sql", "0005_support_tickets.sql", "0006_feedback.sql", "0009_contact_attributes.sql", "0010_data_rights.sql", "0011_purchase_items_reviews.sql", "0012_outbox.sql", "0013_campaigns.sql", "0014_console_webchat.sql", "0015_feedback_opt_out.sql", "0016_turn_effects.sql", "0017_outbox_pending_indexes.sql", "0018_outbox_without_contact_fk.sql"]);
    expect(await migrate(db)).toEqual([]);
    const p = db.prisma;
    const now = new Date("2026-11-23T10:00:00.123Z");
    await p.contact.create({ data: { id: "c1", displayName: "Ann", locale: "pl", updatedAt: now, feedbackOptOutAt: now } });
    await p.channelIdentity.create({ data: { channel: "telegram", externalId: "9007199254740993", contactId: "c1" } });
    await p.interaction.create({ data: { id: "i1", contactId: "c1", occurredAt: now, direction: "in", kind: "text", actor: "customer", text: "x".repeat(10_000), dedupeKey: "k1" } });
    await p.handledMessage.create({ data: { interactionId: "i1" } });
    await expect(p.handledMessage.create({ data: { interactionId: "i1" } })).rejects.toMatchObject({ code: "P2002" });
    await p.conversationState.create({ data: { contactId: "c1", flowId: "welcome", flowVersion: 1, stepId: "menu", variables: "{\"a\":1}", waiting: "{\"attempts\":0}", version: 1 } });
    await p.flowVersion.create({ data: { flowId: "welcome", version: 1, hash: "h", source: "steps: []", file: "flows/welcome.yaml" } });
    await p.contact.create({ data: { id: "c2", referralCode: "ann2" } });
    await p.ledgerEntry.create({ data: { id: "l1", contactId: "c1", kind: "earn", points: 50, remaining: 50, reason: "welcome", source: "registration", idempotencyKey: "reg:c1", expiresAt: now } });
    await expect(p.ledgerEntry.create({ data: { id: "l2", contactId: "c1", kind: "earn", points: 50, reason: "welcome", source: "registration", idempotencyKey: "reg:c1" } }))
      .rejects.toMatchObject({ code: "P2002" });
    await p.purchase.create({ data: { id: "p1", contactId: "c1", orderId: "o1", amountMinor: 1999, currency: "EUR", occurredAt: now } });
    await p.referral.create({ data: { id: "r1", referrerId: "c2", friendId: "c1", code: "ann2", status: "joined" } });
    await p.ticket.create({ data: { id: "t1", contactId: "c1", status: "open", reason: "flow", question: "help", channel: "telegram", idempotencyKey: "ticket:1" } });
    await expect(p.ticket.create({ data: { id: "t2", contactId: "c1", status: "open", reason: "flow", idempotencyKey: "ticket:1" } })).rejects.toMatchObject({ code: "P2002" });
    await p.contact.update({ where: { id: "c1" }, data: { openTicketId: "t1" } });
    await p.ticketMessage.create({ data: { id: "m1", ticketId: "t1", direction: "to_staff", text: "hi", author: "customer", sourceKey: "in:i1", status: "pending", nextAttemptAt: now } });
    await expect(p.ticketMessage.create({ data: { id: "m2", ticketId: "t1", direction: "to_staff", text: "hi", author: "customer", sourceKey: "in:i1", status: "pending", nextAttemptAt: now } }))
      .rejects.toMatchObject({ code: "P2002" });
    await p.scheduledJob.create({ data: { id: "j1", kind: "event", contactId: "c1", name: "csat.ask", data: "{}", dueAt: now, status: "pending", idempotencyKey: "job:1" } });
    await expect(p.scheduledJob.create({ data: { id: "j2", kind: "event", contactId: "c1", name: "x", dueAt: now, status: "pending", idempotencyKey: "job:1" } })).rejects.toMatchObject({ code: "P2002" });
    await p.outboxMessage.create({ data: { id: "o1", contactId: "c1", channel: "telegram", chatId: "9007199254740993", userId: "9007199254740993", payload: "{\"text\":\"hi\"}", status: "pending", nextAttemptAt: now, createdAt: now, idempotencyKey: "campaign:1:c1" } });
    await expect(p.outboxMessage.create({ data: { id: "o2", contactId: "c1", channel: "telegram", chatId: "1", userId: "1", payload: "{}", status: "pending", nextAttemptAt: now, createdAt: now, idempotencyKey: "campaign:1:c1" } })).rejects.toMatchObject({ code: "P2002" });
    expect(await p.outboxMessage.findUniqueOrThrow({ where: { id: "o1" } })).toMatchObject({ priority: 0, attempts: 0, leaseUntil: null, leaseOwner: null, failingSince: null, sentAt: null, nextAttemptAt: now });
    await p.surveyResponse.create({ data: { id: "s1", contactId: "c1", survey: "nps", score: 9, idempotencyKey: "survey:1" } });
    await p.idea.create({ data: { id: "d1", contactId: "c1", text: "dark mode" } });
    await p.ideaVote.create({ data: { ideaId: "d1", contactId: "c2" } });
    await expect(p.ideaVote.create({ data: { ideaId: "d1", contactId: "c2" } })).rejects.toMatchObject({ code: "P2002" });
    await p.auditEntry.create({ data: { id: "a1", actor: "agent:U1", action: "ticket.claim", targetType: "ticket", targetId: "t1", at: now } });
    expect(await p.auditEntry.findUniqueOrThrow({ where: { id: "a1" } })).toMatchObject({ detail: null, at: now });
    await p.idea.update({ where: { id: "d1" }, data: { reviewReason: "link" } });
    await p.contact.update({ where: { id: "c2" }, data: { erasedAt: now } });
    await p.contact.update({ where: { id: "c1" }, data: { segment: "champions", rfmRecency: 5, rfmFrequency: 4, rfmMonetary: 5, segmentAt: now } });
    await p.purchaseItem.create({ data: { purchaseId: "p1", position: 0, sku: "TEA-1", name: "Green tea", quantity: 2, unitPriceMinor: 999 } });
    await expect(p.purchaseItem.create({ data: { purchaseId: "p1", position: 0, sku: "X", name: "X", quantity: 1, unitPriceMinor: 0 } })).rejects.toMatchObject({ code: "P2002" });
    await p.productReview.create({ data: { id: "v1", contactId: "c1", purchaseId: "p1", sku: "TEA-1", itemName: "Green tea", requestedAt: now, idempotencyKey: "review:1" } });
    await expect(p.productReview.create({ data: { id: "v2", contactId: "c1", purchaseId: "p1", requestedAt: now, idempotencyKey: "review:2" } })).rejects.toMatchObject({ code: "P2002" });
    await p.ticket.update({ where: { id: "t1" }, data: { orderId: "o1" } });
    await p.consoleUser.create({ data: { name: "ada", role: "admin", passwordHash: "$2b$04$x" } });
    await expect(p.consoleUser.create({ data: { name: "ada", role: "marketer", passwordHash: "y" } })).rejects.toMatchObject({ code: "P2002" });
    await p.consoleSession.create({ data: { id: "h1", userName: "ada", role: "admin", csrfToken: "c", expiresAt: now } });
    expect(await p.consoleSession.findUniqueOrThrow({ where: { id: "h1" } })).toMatchObject({ userName: "ada", expiresAt: now });
    await p.webchatLinkCode.create({ data: { codeHash: "k1", contactId: "c1", expiresAt: now } });
    expect(await p.webchatLinkCode.findUniqueOrThrow({ where: { codeHash: "k1" } })).toMatchObject({ contactId: "c1", usedAt: null, expiresAt: now });
    await p.campaign.create({ data: { id: "g1", name: "winback", status: "running", definition: "{}", hash: "h", startAt: now, actor: "operator:ann" } });
    await p.campaignDelivery.create({ data: { id: "gd1", campaignId: "g1", contactId: "c1", variant: "a", status: "pending", dueAt: now, key: "campaign:g1:c1:a" } });
    await expect(p.campaignDelivery.create({ data: { id: "gd2", campaignId: "g1", contactId: "c1", variant: "b", status: "pending", dueAt: now, key: "campaign:g1:c1:b" } })).rejects.toMatchObject({ code: "P2002" });
    await p.contact.update({ where: { id: "c2" }, data: { marketingConsent: "denied", marketingConsentAt: now } });
    expect(await p.campaign.findUniqueOrThrow({ where: { name: "winback" }, include: { deliveries: true } })).toMatchObject({ ongoing: false, selectedAt: null, finishedAt: null, deliveries: [{ contactId: "c1", bonusPoints: 0, queuedAt: null, sentAt: null, lastError: null, reason: null }] });
    expect(await p.contact.findUniqueOrThrow({ where: { id: "c2" } })).toMatchObject({ marketingConsent: "denied", marketingConsentAt: now });
    expect(await p.purchase.findUniqueOrThrow({ where: { id: "p1" }, include: { items: true, review: true } })).toMatchObject({
      items: [{ sku: "TEA-1", quantity: 2, unitPriceMinor: 999 }], review: { sku: "TEA-1", score: null, comment: null, answeredAt: null, requestedAt: now },
    });
    expect(await p.idea.findUniqueOrThrow({ where: { id: "d1" }, include: { voters: true } })).toMatchObject({ status: "open", votes: 0, voters: [{ contactId: "c2" }] });
    expect(await p.scheduledJob.findUniqueOrThrow({ where: { id: "j1" } })).toMatchObject({ attempts: 0, lockedUntil: null, dueAt: now });
    expect(await p.ticket.findUniqueOrThrow({ where: { id: "t1" }, include: { messages: true } })).toMatchObject({ cardRef: null, cardStale: false, assignee: null, closedAt: null, messages: [{ sourceKey: "in:i1", attempts: 0, nextAttemptAt: now }] });
    const contact = await p.contact.findUniqueOrThrow({ where: { id: "c1" }, include: { identities: true, interactions: true, conversation: true, ledger: true, purchases: true, referredBy: true, tickets: true } });
    expect(contact).toMatchObject({ locale: "pl", points: 0, tier: "novice", unreachable: false, lifetimePoints: 0, referralCode: null, updatedAt: now, openTicketId: "t1", tickets: [{ id: "t1", orderId: "o1" }], segment: "champions", rfmRecency: 5 });
    expect(contact.ledger).toMatchObject([{ id: "l1", points: 50, remaining: 50, expiresAt: now, remindedAt: null, reversesId: null }]);
    expect(contact.purchases).toMatchObject([{ orderId: "o1", amountMinor: 1999, currency: "EUR", refundedMinor: 0, pointsAwarded: 0, occurredAt: now }]);
    expect(contact.referredBy).toMatchObject({ referrerId: "c2", code: "ann2", status: "joined", rewardPoints: 0 });
    expect(await p.contact.findUniqueOrThrow({ where: { referralCode: "ann2" }, include: { referralsMade: true } })).toMatchObject({ id: "c2", referralsMade: [{ friendId: "c1" }] });
    expect(contact.identities[0]!.externalId).toBe("9007199254740993");
    expect(contact.interactions[0]!.text).toHaveLength(10_000);
    expect(contact.interactions[0]!.occurredAt.toISOString()).toBe(now.toISOString());
    expect(contact.conversation).toMatchObject({ stepId: "menu", version: 1 });
    await expect(p.interaction.create({ data: { id: "i2", contactId: "c1", occurredAt: now, direction: "in", kind: "text", actor: "customer", dedupeKey: "k1" } }))
      .rejects.toMatchObject({ code: "P2002" });
    await expect(p.channelIdentity.create({ data: { channel: "telegram", externalId: "9007199254740993", contactId: "c1" } })).rejects.toMatchObject({ code: "P2002" });
    await p.contact.delete({ where: { id: "c1" } });
    expect(await p.interaction.count()).toBe(0); // history goes with the contact (GDPR erase relies on it)
    expect(await p.ledgerEntry.count()).toBe(0);
    expect(await p.purchase.count()).toBe(0);
    expect(await p.referral.count()).toBe(0);
    expect(await p.ticket.count()).toBe(0);
    expect(await p.ticketMessage.count()).toBe(0);
    expect(await p.scheduledJob.count()).toBe(0);
    // PostgreSQL's outbox has no foreign key (0018): erasing deletes a contact's rows itself (test/privacy)
    expect(await p.outboxMessage.count()).toBe(testDialect === "postgresql" ? 1 : 0);
    expect(await p.surveyResponse.count()).toBe(0);
    expect(await p.idea.count()).toBe(0);
    expect(await p.purchaseItem.count()).toBe(0);
    expect(await p.productReview.count()).toBe(0);
    expect(await p.campaignDelivery.count()).toBe(0);
    expect(await p.campaign.count()).toBe(1); // a campaign is not a contact's: only its deliveries go
  });

  it("upgrading a database with data keeps every row (no cascade through a table rebuild)", async () => {
    url = await freshDatabaseUrl({ empty: true });
    const dir = mkdtempSync(join(tmpdir(), "rapport-migrations-"));
    const db = await open(url);
    mkdirSync(join(dir, db.dialect));
    copyFileSync(join(MIGRATIONS_DIR, db.dialect, "0001_init.sql"), join(dir, db.dialect, "0001_init.sql"));
    expect(await migrate(db, dir)).toEqual(["0001_init.sql"]);
    const now = new Date().toISOString();
    await db.run((function* () {
      yield sql(`INSERT INTO contacts (id, locale, created_at, updated_at, last_seen_at) VALUES ('c1', 'ru', ?, ?, ?)`, now, now, now);
      yield sql(`INSERT INTO channel_identities (channel, external_id, contact_id, created_at) VALUES ('telegram', '1', 'c1', ?)`, now);
      yield sql(`INSERT INTO interactions (id, contact_id, occurred_at, direction, kind, actor, status) VALUES ('i1', 'c1', ?, 'in', 'text', 'customer', 'handled')`, now);
      yield sql(`INSERT INTO conversation_states (contact_id, variables, version, updated_at) VALUES ('c1', '{}', 3, ?)`, now);
    })());
    for (const f of readdirSync(join(MIGRATIONS_DIR, db.dialect))) copyFileSync(join(MIGRATIONS_DIR, db.dialect, f), join(dir, db.dialect, f));
    expect(await migrate(db, dir)).toEqual(["0002_hot_path_indexes.sql", "0003_handled_messages.sql", "0004_loyalty.sql", "0005_support_tickets.sql", "0006_feedback.sql", "0009_contact_attributes.sql", "0010_data_rights.sql", "0011_purchase_items_reviews.sql", "0012_outbox.sql", "0013_campaigns.sql", "0014_console_webchat.sql", "0015_feedback_opt_out.sql", "0016_turn_effects.sql", "0017_outbox_pending_indexes.sql", "0018_outbox_without_contact_fk.sql"]);
    // the columns 0004 adds to contacts get their defaults on existing rows
    expect(await db.prisma.contact.findUniqueOrThrow({ where: { id: "c1" } })).toMatchObject({ locale: "ru", points: 0, lifetimePoints: 0, referralCode: null, openTicketId: null });
    expect(await db.prisma.channelIdentity.count()).toBe(1);
    expect(await db.prisma.interaction.count()).toBe(1);
    expect(await db.prisma.conversationState.count()).toBe(1);
    // what the old status column said moved into handled_messages, so a redelivery is still recognised
    expect(await db.prisma.handledMessage.findMany()).toEqual([{ interactionId: "i1" }]);
  });

  it("refuses to start when an applied migration was edited afterwards", async () => {
    url = await freshDatabaseUrl({ empty: true });
    const dir = mkdtempSync(join(tmpdir(), "rapport-migrations-"));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    const db = await open(url);
    await migrate(db, dir);
    appendFileSync(join(dir, db.dialect, "0001_init.sql"), "\n-- edited\n");
    const error = await migrate(db, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationDriftError);
    expect((error as Error).message).toBe("migration 0001_init.sql was applied with different contents than the file has now; migrations are append-only: restore the file and add a new migration instead");
  });

  it("several instances starting together migrate once", async () => {
    url = await freshDatabaseUrl({ empty: true });
    const dbs = await Promise.all([1, 2, 3, 4].map(() => open(url!)));
    const results = await Promise.all(dbs.map((db) => migrate(db).catch((e: Error) => e)));
    // each migration is applied exactly once in all, whichever instance got the lock for it
    expect(results.every(Array.isArray)).toBe(true);
    expect((results as string[][]).flat().sort()).toEqual(["0001_init.sql", "0002_hot_path_indexes.sql", "0003_handled_messages.sql", "0004_loyalty.sql", "0005_support_tickets.sql", "0006_feedback.sql", "0009_contact_attributes.sql", "0010_data_rights.sql", "0011_purchase_items_reviews.sql", "0012_outbox.sql", "0013_campaigns.sql", "0014_console_webchat.sql", "0015_feedback_opt_out.sql", "0016_turn_effects.sql", "0017_outbox_pending_indexes.sql", "0018_outbox_without_contact_fk.sql"]);
    expect(await dbs[0]!.prisma.contact.count()).toBe(0);
  });
});
