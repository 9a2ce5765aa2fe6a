-- CreateEnum
CREATE TYPE "ApiKeyPermission" AS ENUM ('READ', 'TRADE');

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "key" VARCHAR(64) NOT NULL,
    "label" VARCHAR(64) NOT NULL,
    "permission" "ApiKeyPermission" NOT NULL,
    "secret_ciphertext" VARCHAR(200) NOT NULL,
    "ip_allow_list" VARCHAR(45)[] NOT NULL DEFAULT ARRAY[]::VARCHAR(45)[],
    "listen_key" VARCHAR(64),
    "listen_key_expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_key" ON "api_keys"("key");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_listen_key_key" ON "api_keys"("listen_key");

-- CreateIndex
CREATE INDEX "api_keys_account_id_created_at_idx" ON "api_keys"("account_id", "created_at");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "paper_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

