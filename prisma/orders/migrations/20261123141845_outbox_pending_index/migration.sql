-- CreateIndex
CREATE INDEX "outbox_event_pending_seq_idx" ON "outbox_event"("seq") WHERE (published_at IS NULL);
