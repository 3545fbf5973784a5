-- AlterTable
ALTER TABLE "contacts" ADD COLUMN     "feedback_opt_out_at" TIMESTAMP(3);
