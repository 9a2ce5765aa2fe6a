-- CreateEnum
CREATE TYPE "VenueKind" AS ENUM ('MAIN', 'SIMULATED');

-- AlterTable
ALTER TABLE "paper_accounts" ADD COLUMN     "last_event_seq" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "next_order_seq" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "venue_id" VARCHAR(40) NOT NULL DEFAULT 'main';

-- Leverage and margin mode live in account_symbol_settings only: keep what positions held.
INSERT INTO "account_symbol_settings" ("account_id", "symbol", "leverage", "margin_mode")
SELECT "account_id", "symbol", "leverage", "margin_mode" FROM "positions"
ON CONFLICT ("account_id", "symbol") DO UPDATE
  SET "leverage" = EXCLUDED."leverage", "margin_mode" = EXCLUDED."margin_mode";

-- AlterTable (positions stored before trading existed get their exact cost basis from the entry)
ALTER TABLE "positions" DROP COLUMN "leverage",
DROP COLUMN "margin_mode",
ADD COLUMN     "cost_basis" DECIMAL(38,18),
ADD COLUMN     "opened_at" TIMESTAMPTZ(3);
UPDATE "positions" SET "cost_basis" = abs("quantity") * "entry_price", "opened_at" = "updated_at";
ALTER TABLE "positions" ALTER COLUMN "cost_basis" SET NOT NULL,
ALTER COLUMN "opened_at" SET NOT NULL;

-- AlterTable
ALTER TABLE "ledger_entries" ADD COLUMN     "account_id" UUID,
ADD COLUMN     "event_seq" INTEGER;

-- AlterTable
ALTER TABLE "market_tickers" DROP CONSTRAINT "market_tickers_pkey",
ADD COLUMN     "venue_id" VARCHAR(40) NOT NULL DEFAULT 'main',
ADD CONSTRAINT "market_tickers_pkey" PRIMARY KEY ("venue_id", "symbol");

-- AlterTable
ALTER TABLE "candles" DROP CONSTRAINT "candles_pkey",
ADD COLUMN     "venue_id" VARCHAR(40) NOT NULL DEFAULT 'main',
ADD CONSTRAINT "candles_pkey" PRIMARY KEY ("venue_id", "symbol", "interval", "open_time");

-- CreateTable
CREATE TABLE "venues" (
    "id" VARCHAR(40) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "kind" "VenueKind" NOT NULL,
    "seed" VARCHAR(100),
    "ticks_per_second" INTEGER,
    "funding_interval_minutes" INTEGER,
    "symbols" VARCHAR(32)[] NOT NULL DEFAULT ARRAY[]::VARCHAR(32)[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "venues_pkey" PRIMARY KEY ("id")
);

-- The platform's main market: every existing account trades on it.
INSERT INTO "venues" ("id", "name", "kind", "symbols") VALUES ('main', 'Main market', 'MAIN', '{}');

-- CreateTable
CREATE TABLE "orders" (
    "id" VARCHAR(64) NOT NULL,
    "order_no" BIGSERIAL NOT NULL,
    "account_id" UUID NOT NULL,
    "venue_id" VARCHAR(40) NOT NULL,
    "seq" INTEGER NOT NULL,
    "client_order_id" VARCHAR(36),
    "symbol" VARCHAR(32) NOT NULL,
    "side" VARCHAR(4) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "current_type" VARCHAR(20) NOT NULL,
    "quantity" DECIMAL(38,18) NOT NULL,
    "filled_quantity" DECIMAL(38,18) NOT NULL DEFAULT 0,
    "price" DECIMAL(38,18),
    "stop_price" DECIMAL(38,18),
    "time_in_force" VARCHAR(3) NOT NULL,
    "reduce_only" BOOLEAN NOT NULL,
    "close_position" BOOLEAN NOT NULL,
    "working_type" VARCHAR(4) NOT NULL,
    "parent_id" VARCHAR(64),
    "status" VARCHAR(16) NOT NULL,
    "status_code" VARCHAR(48),
    "status_reason" VARCHAR(200),
    "average_price" DECIMAL(38,18),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_status_changes" (
    "id" BIGSERIAL NOT NULL,
    "order_id" VARCHAR(64) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "event" VARCHAR(16) NOT NULL,
    "code" VARCHAR(48),
    "reason" VARCHAR(200),
    "event_seq" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "order_status_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fills" (
    "id" BIGSERIAL NOT NULL,
    "account_id" UUID NOT NULL,
    "order_id" VARCHAR(64),
    "liquidation_id" BIGINT,
    "symbol" VARCHAR(32) NOT NULL,
    "side" VARCHAR(4) NOT NULL,
    "quantity" DECIMAL(38,18) NOT NULL,
    "price" DECIMAL(38,18) NOT NULL,
    "mark_price" DECIMAL(38,18) NOT NULL,
    "liquidity" VARCHAR(5) NOT NULL,
    "fee_rate" DECIMAL(38,18) NOT NULL,
    "fee" DECIMAL(38,18) NOT NULL,
    "realized_pnl" DECIMAL(38,18) NOT NULL,
    "shortfall" DECIMAL(38,18) NOT NULL DEFAULT 0,
    "is_liquidation" BOOLEAN NOT NULL DEFAULT false,
    "event_seq" INTEGER NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "fills_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "funding_payments" (
    "id" BIGSERIAL NOT NULL,
    "account_id" UUID NOT NULL,
    "symbol" VARCHAR(32) NOT NULL,
    "rate" DECIMAL(38,18) NOT NULL,
    "mark_price" DECIMAL(38,18) NOT NULL,
    "position_quantity" DECIMAL(38,18) NOT NULL,
    "amount" DECIMAL(38,18) NOT NULL,
    "uncollected" DECIMAL(38,18) NOT NULL,
    "funding_time" TIMESTAMPTZ(3) NOT NULL,
    "event_seq" INTEGER NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "funding_payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "liquidations" (
    "id" BIGSERIAL NOT NULL,
    "account_id" UUID NOT NULL,
    "mode" "MarginMode" NOT NULL,
    "symbol" VARCHAR(32),
    "mark_price" DECIMAL(38,18),
    "margin_balance" DECIMAL(38,18) NOT NULL,
    "maintenance_margin" DECIMAL(38,18) NOT NULL,
    "margin_ratio" DECIMAL(38,18),
    "fee" DECIMAL(38,18) NOT NULL,
    "shortfall" DECIMAL(38,18) NOT NULL,
    "positions_closed" JSONB NOT NULL,
    "orders_canceled" JSONB NOT NULL,
    "event_seq" INTEGER NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "liquidations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "orders_order_no_key" ON "orders"("order_no");

-- CreateIndex
CREATE INDEX "orders_account_id_status_idx" ON "orders"("account_id", "status");

-- CreateIndex
CREATE INDEX "orders_account_id_created_at_idx" ON "orders"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "orders_venue_id_symbol_status_idx" ON "orders"("venue_id", "symbol", "status");

-- CreateIndex
CREATE UNIQUE INDEX "orders_account_id_client_order_id_key" ON "orders"("account_id", "client_order_id");

-- CreateIndex
CREATE INDEX "order_status_changes_order_id_id_idx" ON "order_status_changes"("order_id", "id");

-- CreateIndex
CREATE INDEX "fills_account_id_id_idx" ON "fills"("account_id", "id");

-- CreateIndex
CREATE INDEX "fills_order_id_idx" ON "fills"("order_id");

-- CreateIndex
CREATE INDEX "funding_payments_account_id_id_idx" ON "funding_payments"("account_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "funding_payments_account_id_symbol_funding_time_key" ON "funding_payments"("account_id", "symbol", "funding_time");

-- CreateIndex
CREATE INDEX "liquidations_account_id_id_idx" ON "liquidations"("account_id", "id");

-- CreateIndex
CREATE INDEX "paper_accounts_venue_id_status_idx" ON "paper_accounts"("venue_id", "status");

-- AddForeignKey
ALTER TABLE "paper_accounts" ADD CONSTRAINT "paper_accounts_venue_id_fkey" FOREIGN KEY ("venue_id") REFERENCES "venues"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "paper_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_status_changes" ADD CONSTRAINT "order_status_changes_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fills" ADD CONSTRAINT "fills_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "paper_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fills" ADD CONSTRAINT "fills_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fills" ADD CONSTRAINT "fills_liquidation_id_fkey" FOREIGN KEY ("liquidation_id") REFERENCES "liquidations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "funding_payments" ADD CONSTRAINT "funding_payments_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "paper_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "liquidations" ADD CONSTRAINT "liquidations_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "paper_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Account history becomes the margin engine's own events. Events written before trading existed
-- keep their rows under a "legacy:" type (replay skips them), and each account gets an engine
-- accountOpened event with its current wallet, so replaying the engine events gives the account.
UPDATE "account_events" SET "type" = 'legacy:' || "type";
INSERT INTO "account_events" ("account_id", "seq", "type", "payload", "created_at")
SELECT a."id",
       coalesce((SELECT max(e."seq") FROM "account_events" e WHERE e."account_id" = a."id"), 0) + 1,
       'accountOpened',
       jsonb_build_object(
         'type', 'accountOpened',
         'accountId', a."id"::text,
         'time', (extract(epoch FROM now()) * 1000)::bigint,
         'walletBalance', trim_scale(a."wallet_balance")::text),
       now()
FROM "paper_accounts" a;
UPDATE "paper_accounts" a
SET "last_event_seq" = (SELECT max(e."seq") FROM "account_events" e WHERE e."account_id" = a."id");
