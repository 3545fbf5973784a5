-- AlterTable (written as ADD COLUMN: a RedefineTables block would cascade-delete every row that references contacts; see prisma/README.md)
ALTER TABLE "contacts" ADD COLUMN "marketing_consent" TEXT;
ALTER TABLE "contacts" ADD COLUMN "marketing_consent_at" DATETIME;

-- CreateTable
CREATE TABLE "campaigns" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "definition" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "ongoing" BOOLEAN NOT NULL DEFAULT false,
    "start_at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "selected_at" DATETIME,
    "finished_at" DATETIME
);

-- CreateTable
CREATE TABLE "campaign_deliveries" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "campaign_id" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "variant" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "due_at" DATETIME NOT NULL,
    "key" TEXT NOT NULL,
    "queued_at" DATETIME,
    "sent_at" DATETIME,
    "bonus_points" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "campaign_deliveries_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "campaign_deliveries_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "campaigns_name_key" ON "campaigns"("name");

-- CreateIndex
CREATE INDEX "campaigns_status_idx" ON "campaigns"("status");

-- CreateIndex
CREATE UNIQUE INDEX "campaign_deliveries_key_key" ON "campaign_deliveries"("key");

-- CreateIndex
CREATE INDEX "campaign_deliveries_campaign_id_status_due_at_idx" ON "campaign_deliveries"("campaign_id", "status", "due_at");

-- CreateIndex
CREATE INDEX "campaign_deliveries_contact_id_queued_at_idx" ON "campaign_deliveries"("contact_id", "queued_at");

-- CreateIndex
CREATE UNIQUE INDEX "campaign_deliveries_campaign_id_contact_id_key" ON "campaign_deliveries"("campaign_id", "contact_id");
