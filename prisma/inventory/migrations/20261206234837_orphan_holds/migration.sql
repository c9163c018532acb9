-- AlterTable
ALTER TABLE "reservation" ADD COLUMN     "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "confirmed_at" TIMESTAMPTZ(3);

-- A hold made before this migration was last claimed when it was made. None is confirmed yet: the orphan sweep asks
-- orders about each once it is old enough, and confirms those whose order exists.
UPDATE "reservation" SET "claimed_at" = "created_at";

-- CreateIndex
CREATE INDEX "reservation_unconfirmed_hold_idx" ON "reservation"("claimed_at") WHERE (status = 'HELD' AND confirmed_at IS NULL);
