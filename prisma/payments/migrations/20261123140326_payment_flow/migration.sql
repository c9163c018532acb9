-- DropIndex
DROP INDEX "payment_idempotency_key_key";

-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "card_brand" TEXT,
ADD COLUMN     "card_last4" CHAR(4),
ADD COLUMN     "failure_message" TEXT,
ADD COLUMN     "failure_reason" TEXT,
ADD COLUMN     "refunded_amount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "user_id" UUID NOT NULL;

-- CreateTable
CREATE TABLE "refund" (
    "id" UUID NOT NULL,
    "payment_id" UUID NOT NULL,
    "amount" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "requested_by" UUID,
    "idempotency_key" TEXT NOT NULL,
    "provider_reference" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cancelled_order" (
    "order_id" UUID NOT NULL,
    "cancelled_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cancelled_order_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "payment_audit_entry" (
    "id" UUID NOT NULL,
    "payment_id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "refund_id" UUID,
    "action" TEXT NOT NULL,
    "actor_id" UUID,
    "amount" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "provider_reference" TEXT,
    "detail" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_audit_entry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "refund_payment_id_created_at_idx" ON "refund"("payment_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "refund_payment_id_idempotency_key_key" ON "refund"("payment_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "payment_audit_entry_payment_id_created_at_id_idx" ON "payment_audit_entry"("payment_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "payment_user_id_idempotency_key_key" ON "payment"("user_id", "idempotency_key");

-- AddForeignKey
ALTER TABLE "refund" ADD CONSTRAINT "refund_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------------------------
-- Written by hand (Prisma cannot express these): the database itself refuses impossible money and rewritten history.

ALTER TABLE "payment"
    ADD CONSTRAINT "payment_amount_not_negative" CHECK ("amount" >= 0),
    ADD CONSTRAINT "payment_refunded_within_amount" CHECK ("refunded_amount" >= 0 AND "refunded_amount" <= "amount"),
    ADD CONSTRAINT "payment_card_last4_digits" CHECK ("card_last4" ~ '^[0-9]{4}$');

ALTER TABLE "refund"
    ADD CONSTRAINT "refund_amount_positive" CHECK ("amount" > 0);

-- The audit trail is append-only. Revoking UPDATE/DELETE would not bind the table's owner, which is the role the
-- subgraph connects as; a trigger binds every role (only disabling it, itself an owner's DDL, gets around it).
CREATE FUNCTION "payment_audit_entry_append_only"() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    -- the default SQLSTATE (P0001, raise_exception): Prisma reports its message as it is
    RAISE EXCEPTION 'payment_audit_entry is an append-only audit trail: % is not allowed', TG_OP;
END;
$$;

CREATE TRIGGER "payment_audit_entry_no_update_or_delete"
    BEFORE UPDATE OR DELETE ON "payment_audit_entry"
    FOR EACH ROW EXECUTE FUNCTION "payment_audit_entry_append_only"();

CREATE TRIGGER "payment_audit_entry_no_truncate"
    BEFORE TRUNCATE ON "payment_audit_entry"
    FOR EACH STATEMENT EXECUTE FUNCTION "payment_audit_entry_append_only"();
