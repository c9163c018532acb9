-- AlterTable
ALTER TABLE "customer_order" ADD COLUMN     "ship_city" TEXT,
ADD COLUMN     "ship_country_code" CHAR(2),
ADD COLUMN     "ship_line1" TEXT,
ADD COLUMN     "ship_line2" TEXT,
ADD COLUMN     "ship_phone" TEXT,
ADD COLUMN     "ship_postal_code" TEXT,
ADD COLUMN     "ship_recipient_name" TEXT,
ADD COLUMN     "ship_region" TEXT;
