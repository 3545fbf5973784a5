-- DropIndex
DROP INDEX "interactions_status_idx";

-- AlterTable
ALTER TABLE "contacts" DROP COLUMN "last_seen_at";

