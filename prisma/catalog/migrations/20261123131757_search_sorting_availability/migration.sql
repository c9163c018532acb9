-- AlterTable
ALTER TABLE "product" ADD COLUMN     "search_document" tsvector;

-- CreateTable
CREATE TABLE "product_availability" (
    "product_id" UUID NOT NULL,
    "in_stock" BOOLEAN NOT NULL,
    "version" BIGINT NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_availability_pkey" PRIMARY KEY ("product_id")
);

-- CreateTable
CREATE TABLE "processed_event" (
    "consumer_group" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_event_pkey" PRIMARY KEY ("consumer_group","event_id")
);

-- CreateIndex
CREATE INDEX "processed_event_processed_at_idx" ON "processed_event"("processed_at");

-- CreateIndex
CREATE INDEX "product_price_amount_id_idx" ON "product"("price_amount", "id");

-- CreateIndex
CREATE INDEX "product_name_id_idx" ON "product"("name", "id");

-- CreateIndex
CREATE INDEX "product_search_document_idx" ON "product" USING GIN ("search_document");

-- Hand-written (Prisma cannot express generated columns): search_document becomes a STORED generated column, so
-- PostgreSQL keeps it in step with sku, name and description on every write. Full-text search rather than ILIKE:
-- '%word%' can use no index without pg_trgm, which PGlite does not load by default; a GIN index over a tsvector
-- works on PostgreSQL and PGlite alike. Queries must use the same 'english' configuration (subgraphs/catalog/src/data/listing-sql.ts).
ALTER TABLE "product" DROP COLUMN "search_document";
ALTER TABLE "product" ADD COLUMN "search_document" tsvector
    GENERATED ALWAYS AS (to_tsvector('english', "sku" || ' ' || "name" || ' ' || "description")) STORED;
CREATE INDEX "product_search_document_idx" ON "product" USING GIN ("search_document");

-- Hand-written CHECK constraints: the database refuses what the catalog's validation refuses.
ALTER TABLE "product" ADD CONSTRAINT "product_price_amount_not_negative" CHECK ("price_amount" >= 0);
ALTER TABLE "product" ADD CONSTRAINT "product_price_currency_iso_4217" CHECK ("price_currency" ~ '^[A-Z]{3}$');
ALTER TABLE "category" ADD CONSTRAINT "category_not_own_parent" CHECK ("parent_id" <> "id");
ALTER TABLE "product_availability" ADD CONSTRAINT "product_availability_version_not_negative" CHECK ("version" >= 0);
