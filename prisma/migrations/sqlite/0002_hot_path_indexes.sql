-- DropIndex
DROP INDEX "interactions_status_idx";

-- AlterTable (hand-edited: Prisma's "RedefineTables" copy would DROP TABLE "contacts" inside our
-- migration transaction, where PRAGMA foreign_keys=OFF has no effect, and cascade-delete the history.
-- SQLite 3.35+ drops a plain column in place.)
ALTER TABLE "contacts" DROP COLUMN "last_seen_at";
