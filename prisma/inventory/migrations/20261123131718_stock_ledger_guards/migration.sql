-- CreateEnum
CREATE TYPE "Settlement" AS ENUM ('PAID', 'CANCELLED');

-- DropIndex
DROP INDEX "stock_movement_product_id_created_at_idx";

-- AlterTable
ALTER TABLE "stock_movement" ADD COLUMN     "actor_id" UUID,
ADD COLUMN     "note" TEXT,
ADD COLUMN     "on_hand_after" INTEGER,
ADD COLUMN     "reserved_after" INTEGER;

-- CreateTable
CREATE TABLE "settled_order" (
    "order_id" UUID NOT NULL,
    "outcome" "Settlement" NOT NULL,
    "settled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "settled_order_pkey" PRIMARY KEY ("order_id")
);

-- CreateIndex
CREATE INDEX "stock_movement_product_id_created_at_id_idx" ON "stock_movement"("product_id", "created_at", "id");

-- ---------------------------------------------------------------------------------------------------------------
-- Written by hand (Prisma cannot express these; `prisma.ts check` ignores them): the database itself refuses to
-- oversell or to rewrite history, whatever a bug in the application tries.

-- Stock can neither go negative nor promise more than is on hand.
ALTER TABLE "stock_level"
    ADD CONSTRAINT "stock_level_on_hand_not_negative" CHECK ("on_hand" >= 0),
    ADD CONSTRAINT "stock_level_reserved_within_on_hand" CHECK ("reserved" >= 0 AND "reserved" <= "on_hand");

ALTER TABLE "reservation"
    ADD CONSTRAINT "reservation_quantity_positive" CHECK ("quantity" > 0);

-- A movement moves something: a positive number of units, or a non-zero signed change for ADJUSTED; the balances
-- it leaves are themselves valid stock levels.
ALTER TABLE "stock_movement"
    ADD CONSTRAINT "stock_movement_quantity_moves" CHECK (
        CASE WHEN "kind" = 'ADJUSTED' THEN "quantity" <> 0 ELSE "quantity" > 0 END
    ),
    ADD CONSTRAINT "stock_movement_balance_valid" CHECK (
        "on_hand_after" >= 0 AND "reserved_after" >= 0 AND "reserved_after" <= "on_hand_after"
    ),
    ADD CONSTRAINT "stock_movement_note_length" CHECK (char_length("note") <= 500);

-- The ledger is append-only. Revoking UPDATE/DELETE would not bind the table's owner, which is the role the
-- subgraph connects as; a trigger binds every role (only disabling it, itself an owner's DDL, gets around it).
CREATE FUNCTION "stock_movement_append_only"() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    -- the default SQLSTATE (P0001, raise_exception): Prisma reports its message as it is
    RAISE EXCEPTION 'stock_movement is an append-only ledger: % is not allowed; book a correcting movement instead', TG_OP;
END;
$$;

CREATE TRIGGER "stock_movement_no_update_or_delete"
    BEFORE UPDATE OR DELETE ON "stock_movement"
    FOR EACH ROW EXECUTE FUNCTION "stock_movement_append_only"();

CREATE TRIGGER "stock_movement_no_truncate"
    BEFORE TRUNCATE ON "stock_movement"
    FOR EACH STATEMENT EXECUTE FUNCTION "stock_movement_append_only"();
