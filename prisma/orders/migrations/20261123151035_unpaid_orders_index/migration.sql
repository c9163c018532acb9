-- CreateIndex
CREATE INDEX "customer_order_status_created_at_idx" ON "customer_order"("status", "created_at");
