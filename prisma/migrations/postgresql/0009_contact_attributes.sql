-- AlterTable
ALTER TABLE "contacts" ADD COLUMN     "attributes" TEXT NOT NULL DEFAULT '{}';

