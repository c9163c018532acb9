-- The admins' list of every order (Query.orders), newest first.
-- CreateIndex
CREATE INDEX "customer_order_created_at_id_idx" ON "customer_order"("created_at" DESC, "id");
