-- Hand-written: the search document splits words at punctuation, as the search text does (searchQueryFrom in
-- subgraphs/catalog/src/domain/product-listing.ts). PostgreSQL's parser reads "KTL-1000" as the word "ktl" and the
-- signed number "-1000", "3.5mm" as "3.5" and "mm" and "1/2-inch" as one path-like token, so a search for exactly
-- what the product shows ("KTL-1000", "3.5mm", "inch") found nothing. Punctuation becomes a space before parsing.
DROP INDEX "product_search_document_idx";
ALTER TABLE "product" DROP COLUMN "search_document";
ALTER TABLE "product" ADD COLUMN "search_document" tsvector
    GENERATED ALWAYS AS (
        to_tsvector('english', regexp_replace("sku" || ' ' || "name" || ' ' || "description", '[[:punct:]]+', ' ', 'g'))
    ) STORED;
CREATE INDEX "product_search_document_idx" ON "product" USING GIN ("search_document");
