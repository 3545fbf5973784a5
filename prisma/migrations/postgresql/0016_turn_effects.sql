-- CreateTable
CREATE TABLE "action_results" (
    "key" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "action_results_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "action_results_contact_id_idx" ON "action_results"("contact_id");

-- CreateIndex
CREATE INDEX "action_results_created_at_idx" ON "action_results"("created_at");

-- AddForeignKey
ALTER TABLE "action_results" ADD CONSTRAINT "action_results_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
