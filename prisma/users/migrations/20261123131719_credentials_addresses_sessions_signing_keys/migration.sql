-- CreateEnum
CREATE TYPE "SessionEndReason" AS ENUM ('LOGOUT', 'REUSE_DETECTED', 'PASSWORD_CHANGED');

-- AlterTable
ALTER TABLE "user_account" ADD COLUMN     "password_changed_at" TIMESTAMPTZ(3),
ADD COLUMN     "password_hash" TEXT;

-- CreateTable
CREATE TABLE "address" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "recipient_name" TEXT NOT NULL,
    "line1" TEXT NOT NULL,
    "line2" TEXT,
    "city" TEXT NOT NULL,
    "region" TEXT,
    "postal_code" TEXT NOT NULL,
    "country_code" CHAR(2) NOT NULL,
    "phone" TEXT,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "address_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refresh_token_family" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),
    "end_reason" "SessionEndReason",

    CONSTRAINT "refresh_token_family_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refresh_token" (
    "id" UUID NOT NULL,
    "family_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),

    CONSTRAINT "refresh_token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signing_key" (
    "kid" TEXT NOT NULL,
    "public_jwk" JSONB NOT NULL,
    "private_jwk" JSONB,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "signing_key_pkey" PRIMARY KEY ("kid")
);

-- CreateTable
CREATE TABLE "login_throttle" (
    "key" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "expire" TIMESTAMPTZ(3),

    CONSTRAINT "login_throttle_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "address_user_id_created_at_id_idx" ON "address"("user_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "address_one_default_per_user" ON "address"("user_id") WHERE (is_default);

-- CreateIndex
CREATE INDEX "refresh_token_family_user_id_idx" ON "refresh_token_family"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "refresh_token_token_hash_key" ON "refresh_token"("token_hash");

-- CreateIndex
CREATE INDEX "refresh_token_family_id_idx" ON "refresh_token"("family_id");

-- CreateIndex
CREATE INDEX "signing_key_retired_at_idx" ON "signing_key"("retired_at");

-- CreateIndex
CREATE UNIQUE INDEX "signing_key_one_active" ON "signing_key"("active") WHERE (active);

-- CreateIndex
CREATE INDEX "login_throttle_expire_idx" ON "login_throttle"("expire");

-- AddForeignKey
ALTER TABLE "address" ADD CONSTRAINT "address_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "refresh_token_family" ADD CONSTRAINT "refresh_token_family_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "refresh_token" ADD CONSTRAINT "refresh_token_family_id_fkey" FOREIGN KEY ("family_id") REFERENCES "refresh_token_family"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Added by hand (Prisma cannot express CHECK constraints).
-- The active key is the one with a private half and no retirement date; a retired key never signs again.
ALTER TABLE "signing_key" ADD CONSTRAINT "signing_key_active_state" CHECK ("active" = ("retired_at" IS NULL) AND "active" = ("private_jwk" IS NOT NULL));
-- A session ends with a reason, and only then.
ALTER TABLE "refresh_token_family" ADD CONSTRAINT "refresh_token_family_end_state" CHECK (("ended_at" IS NULL) = ("end_reason" IS NULL));
ALTER TABLE "refresh_token" ADD CONSTRAINT "refresh_token_expires_after_creation" CHECK ("expires_at" > "created_at");
ALTER TABLE "address" ADD CONSTRAINT "address_country_code_format" CHECK ("country_code" ~ '^[A-Z]{2}$');
