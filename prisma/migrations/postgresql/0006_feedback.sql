-- AlterTable
ALTER TABLE "contacts" ADD COLUMN     "rfm_frequency" INTEGER,
ADD COLUMN     "rfm_monetary" INTEGER,
ADD COLUMN     "rfm_recency" INTEGER,
ADD COLUMN     "segment_at" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "scheduled_jobs" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "data" TEXT,
    "due_at" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMP(3),
    "last_error" TEXT,
    "idempotency_key" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "done_at" TIMESTAMP(3),

    CONSTRAINT "scheduled_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "survey_responses" (
    "id" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "survey" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "ticket_id" TEXT,
    "agent" TEXT,
    "idempotency_key" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "survey_responses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ideas" (
    "id" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "votes" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ideas_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idea_votes" (
    "idea_id" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idea_votes_pkey" PRIMARY KEY ("idea_id","contact_id")
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

-- AddForeignKey
ALTER TABLE "scheduled_jobs" ADD CONSTRAINT "scheduled_jobs_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ideas" ADD CONSTRAINT "ideas_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "idea_votes" ADD CONSTRAINT "idea_votes_idea_id_fkey" FOREIGN KEY ("idea_id") REFERENCES "ideas"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "idea_votes" ADD CONSTRAINT "idea_votes_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

