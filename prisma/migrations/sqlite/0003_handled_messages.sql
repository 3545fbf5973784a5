-- CreateTable
CREATE TABLE "handled_messages" (
    "interaction_id" TEXT NOT NULL PRIMARY KEY
);

-- Carry over what the status column recorded (hand-written: Prisma does not move data).
INSERT INTO "handled_messages" ("interaction_id") SELECT "id" FROM "interactions" WHERE "status" = 'handled';

-- AlterTable (hand-edited from Prisma's table rebuild; see prisma/README.md)
ALTER TABLE "interactions" DROP COLUMN "status";
