-- AlterTable (written as ADD COLUMN: a RedefineTables block would cascade-delete every row that references contacts; see prisma/README.md)
ALTER TABLE "contacts" ADD COLUMN "feedback_opt_out_at" DATETIME;
