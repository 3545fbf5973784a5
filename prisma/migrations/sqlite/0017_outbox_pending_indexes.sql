-- Issue 13, "the normal bench must not get slower by more than 10%": the outbox's indexes cost every
-- reply its insert and its "sent" mark. Only what is still to send is indexed by status (a small
-- partial index that a mark leaves rather than moves within); idempotency keys and sources, which
-- conversation replies do not have, are indexed only where set. Hand-written: Prisma's schema cannot
-- say WHERE (prisma/schema.prisma keeps the unique key and the contact index).

DROP INDEX "outbox_status_next_attempt_at_idx";
DROP INDEX "outbox_contact_id_status_idx";
DROP INDEX "outbox_idempotency_key_key";

-- CreateIndex
CREATE UNIQUE INDEX "outbox_idempotency_key_key" ON "outbox"("idempotency_key") WHERE "idempotency_key" IS NOT NULL;

-- CreateIndex
CREATE INDEX "outbox_contact_id_idx" ON "outbox"("contact_id");

-- CreateIndex
CREATE INDEX "outbox_pending_idx" ON "outbox"("contact_id", "priority", "id") WHERE "status" = 'pending';

-- CreateIndex
CREATE INDEX "outbox_source_status_idx" ON "outbox"("source", "status") WHERE "source" IS NOT NULL;
