-- AlterTable
ALTER TABLE "contacts" ADD COLUMN "rfm_frequency" INTEGER;
ALTER TABLE "contacts" ADD COLUMN "rfm_monetary" INTEGER;
ALTER TABLE "contacts" ADD COLUMN "rfm_recency" INTEGER;
ALTER TABLE "contacts" ADD COLUMN "segment_at" DATETIME;

-- CreateTable
CREATE TABLE "scheduled_jobs" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "data" TEXT,
    "due_at" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "locked_until" DATETIME,
    "last_error" TEXT,
    "idempotency_key" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "done_at" DATETIME,
    CONSTRAINT "scheduled_jobs_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "survey_responses" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contact_id" TEXT NOT NULL,
    "survey" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "ticket_id" TEXT,
    "agent" TEXT,
    "idempotency_key" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "survey_responses_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ideas" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contact_id" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "votes" INTEGER NOT NULL DEFAULT 0,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ideas_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "idea_votes" (
    "idea_id" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("idea_id", "contact_id"),
    CONSTRAINT "idea_votes_idea_id_fkey" FOREIGN KEY ("idea_id") REFERENCES "ideas" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "idea_votes_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "scheduled_jobs_idempotency_key_key" ON "scheduled_jobs"("idempotency_key");

-- CreateIndex
CREATE INDEX "scheduled_jobs_status_due_at_idx" ON "scheduled_jobs"("status", "due_at");

-- CreateIndex
CREATE INDEX "scheduled_jobs_contact_id_idx" ON "scheduled_jobs"("contact_id");

-- CreateIndex
CREATE UNIQUE INDEX "survey_responses_idempotency_key_key" ON "survey_responses"("idempotency_key");

-- CreateIndex
CREATE INDEX "survey_responses_survey_created_at_idx" ON "survey_responses"("survey", "created_at");

-- CreateIndex
CREATE INDEX "survey_responses_contact_id_created_at_idx" ON "survey_responses"("contact_id", "created_at");

-- CreateIndex
CREATE INDEX "ideas_status_votes_idx" ON "ideas"("status", "votes");

-- CreateIndex
CREATE INDEX "idea_votes_contact_id_idx" ON "idea_votes"("contact_id");

