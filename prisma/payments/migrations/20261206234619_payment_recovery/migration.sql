-- CreateEnum
CREATE TYPE "SimulatorPaymentStatus" AS ENUM ('AUTHORIZED', 'CAPTURED', 'FAILED');

-- CreateTable
CREATE TABLE "simulator_payment" (
    "payment_id" UUID NOT NULL,
    "amount" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "status" "SimulatorPaymentStatus" NOT NULL,
    "authorization_reference" TEXT,
    "capture_reference" TEXT,
    "failure_reason" TEXT,
    "failure_message" TEXT,
    "settles_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "captured_at" TIMESTAMPTZ(3),

    CONSTRAINT "simulator_payment_pkey" PRIMARY KEY ("payment_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "simulator_payment_authorization_reference_key" ON "simulator_payment"("authorization_reference");

-- CreateIndex
CREATE INDEX "payment_unsettled_idx" ON "payment"("updated_at") WHERE (status IN ('PENDING', 'AUTHORIZED'));
