-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('TRADER', 'INSTRUCTOR', 'ADMIN');

-- CreateEnum
CREATE TYPE "PaperAccountKind" AS ENUM ('PERSONAL', 'EXTRA', 'COMPETITION');

-- CreateEnum
CREATE TYPE "PaperAccountStatus" AS ENUM ('ACTIVE', 'ARCHIVED');

-- CreateEnum
CREATE TYPE "MarginMode" AS ENUM ('CROSS', 'ISOLATED');

-- CreateEnum
CREATE TYPE "MarketStatus" AS ENUM ('CONNECTING', 'LIVE', 'STALE', 'HALTED');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" VARCHAR(254) NOT NULL,
    "display_name" VARCHAR(64) NOT NULL,
    "password_hash" TEXT,
    "role" "Role" NOT NULL DEFAULT 'TRADER',
    "session_version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "oauth_accounts" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "provider" VARCHAR(32) NOT NULL,
    "provider_account_id" VARCHAR(191) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oauth_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_limit_buckets" (
    "key" VARCHAR(300) NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "rate_limit_buckets_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "paper_accounts" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "kind" "PaperAccountKind" NOT NULL DEFAULT 'EXTRA',
    "status" "PaperAccountStatus" NOT NULL DEFAULT 'ACTIVE',
    "starting_balance" DECIMAL(38,18) NOT NULL,
    "wallet_balance" DECIMAL(38,18) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "archived_at" TIMESTAMPTZ(3),

    CONSTRAINT "paper_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "account_symbol_settings" (
    "account_id" UUID NOT NULL,
    "symbol" VARCHAR(32) NOT NULL,
    "leverage" INTEGER NOT NULL,
    "margin_mode" "MarginMode" NOT NULL,

    CONSTRAINT "account_symbol_settings_pkey" PRIMARY KEY ("account_id","symbol")
);

-- CreateTable
CREATE TABLE "positions" (
    "account_id" UUID NOT NULL,
    "symbol" VARCHAR(32) NOT NULL,
    "quantity" DECIMAL(38,18) NOT NULL,
    "entry_price" DECIMAL(38,18) NOT NULL,
    "margin_mode" "MarginMode" NOT NULL,
    "leverage" INTEGER NOT NULL,
    "isolated_wallet" DECIMAL(38,18) NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "positions_pkey" PRIMARY KEY ("account_id","symbol")
);

-- CreateTable
CREATE TABLE "account_events" (
    "id" BIGSERIAL NOT NULL,
    "account_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" VARCHAR(48) NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_entries" (
    "id" BIGSERIAL NOT NULL,
    "tx_id" UUID NOT NULL,
    "book" VARCHAR(64) NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "amount" DECIMAL(38,18) NOT NULL,
    "memo" VARCHAR(200),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "instruments" (
    "symbol" VARCHAR(32) NOT NULL,
    "base_asset" VARCHAR(16) NOT NULL,
    "quote_asset" VARCHAR(16) NOT NULL,
    "spec" JSONB NOT NULL,
    "source" VARCHAR(32) NOT NULL DEFAULT 'simulator',
    "enabled" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "instruments_pkey" PRIMARY KEY ("symbol")
);

-- CreateTable
CREATE TABLE "market_tickers" (
    "symbol" VARCHAR(32) NOT NULL,
    "last_price" DECIMAL(38,18) NOT NULL,
    "mark_price" DECIMAL(38,18) NOT NULL,
    "index_price" DECIMAL(38,18) NOT NULL,
    "funding_rate" DECIMAL(38,18) NOT NULL,
    "next_funding_time" TIMESTAMPTZ(3) NOT NULL,
    "open_24h" DECIMAL(38,18),
    "high_24h" DECIMAL(38,18),
    "low_24h" DECIMAL(38,18),
    "volume_24h" DECIMAL(38,18),
    "status" "MarketStatus" NOT NULL DEFAULT 'LIVE',
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "market_tickers_pkey" PRIMARY KEY ("symbol")
);

-- CreateTable
CREATE TABLE "candles" (
    "symbol" VARCHAR(32) NOT NULL,
    "interval" VARCHAR(4) NOT NULL,
    "open_time" TIMESTAMPTZ(3) NOT NULL,
    "open" DECIMAL(38,18) NOT NULL,
    "high" DECIMAL(38,18) NOT NULL,
    "low" DECIMAL(38,18) NOT NULL,
    "close" DECIMAL(38,18) NOT NULL,
    "volume" DECIMAL(38,18) NOT NULL,
    "trades" INTEGER NOT NULL,

    CONSTRAINT "candles_pkey" PRIMARY KEY ("symbol","interval","open_time")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "oauth_accounts_user_id_idx" ON "oauth_accounts"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "oauth_accounts_provider_provider_account_id_key" ON "oauth_accounts"("provider", "provider_account_id");

-- CreateIndex
CREATE INDEX "paper_accounts_user_id_status_idx" ON "paper_accounts"("user_id", "status");

-- CreateIndex
CREATE INDEX "positions_symbol_idx" ON "positions"("symbol");

-- CreateIndex
CREATE UNIQUE INDEX "account_events_account_id_seq_key" ON "account_events"("account_id", "seq");

-- CreateIndex
CREATE INDEX "ledger_entries_tx_id_idx" ON "ledger_entries"("tx_id");

-- CreateIndex
CREATE INDEX "ledger_entries_book_created_at_idx" ON "ledger_entries"("book", "created_at");

-- AddForeignKey
ALTER TABLE "oauth_accounts" ADD CONSTRAINT "oauth_accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "paper_accounts" ADD CONSTRAINT "paper_accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "account_symbol_settings" ADD CONSTRAINT "account_symbol_settings_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "paper_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "positions" ADD CONSTRAINT "positions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "paper_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "account_events" ADD CONSTRAINT "account_events_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "paper_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "market_tickers" ADD CONSTRAINT "market_tickers_symbol_fkey" FOREIGN KEY ("symbol") REFERENCES "instruments"("symbol") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "candles" ADD CONSTRAINT "candles_symbol_fkey" FOREIGN KEY ("symbol") REFERENCES "instruments"("symbol") ON DELETE CASCADE ON UPDATE CASCADE;

