-- AlterTable
ALTER TABLE "customer_order" ADD COLUMN     "refunded_amount" INTEGER NOT NULL DEFAULT 0;
