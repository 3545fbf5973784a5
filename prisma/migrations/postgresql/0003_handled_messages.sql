-- CreateTable
CREATE TABLE "handled_messages" (
    "interaction_id" TEXT NOT NULL,

    CONSTRAINT "handled_messages_pkey" PRIMARY KEY ("interaction_id")
);

-- Carry over what the status column recorded (hand-written: Prisma does not move data).
INSERT INTO "handled_messages" ("interaction_id") SELECT "id" FROM "interactions" WHERE "status" = 'handled';

-- AlterTable
ALTER TABLE "interactions" DROP COLUMN "status";
