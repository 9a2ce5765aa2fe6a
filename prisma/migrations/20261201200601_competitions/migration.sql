-- CreateEnum
CREATE TYPE "CompetitionState" AS ENUM ('DRAFT', 'SCHEDULED', 'RUNNING', 'FINISHED', 'ARCHIVED');

-- CreateEnum
CREATE TYPE "AllowedMarginModes" AS ENUM ('CROSS_ONLY', 'ISOLATED_ONLY', 'BOTH');

-- CreateEnum
CREATE TYPE "AfterLiquidation" AS ENUM ('OUT', 'RESET_WITH_PENALTY', 'CONTINUE');

-- CreateEnum
CREATE TYPE "LeaderboardVisibility" AS ENUM ('LIVE', 'HIDDEN_UNTIL_END');

-- CreateEnum
CREATE TYPE "CompetitionRanking" AS ENUM ('RETURN', 'RISK_ADJUSTED');

-- CreateEnum
CREATE TYPE "CompetitionRole" AS ENUM ('HOST', 'COHOST');

-- CreateEnum
CREATE TYPE "ParticipantStatus" AS ENUM ('ACTIVE', 'OUT', 'REMOVED');

-- CreateEnum
CREATE TYPE "AnnouncementKind" AS ENUM ('ANNOUNCEMENT', 'MARKET_EVENT', 'RULE_CHANGE');

-- CreateTable
CREATE TABLE "competitions" (
    "id" UUID NOT NULL,
    "code" VARCHAR(8) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "description" VARCHAR(2000) NOT NULL DEFAULT '',
    "state" "CompetitionState" NOT NULL DEFAULT 'DRAFT',
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "starting_balance" DECIMAL(38,18) NOT NULL,
    "symbols" VARCHAR(32)[] NOT NULL,
    "max_leverage" INTEGER NOT NULL,
    "margin_modes" "AllowedMarginModes" NOT NULL DEFAULT 'BOTH',
    "maker_fee_rate" DECIMAL(38,18) NOT NULL,
    "taker_fee_rate" DECIMAL(38,18) NOT NULL,
    "allow_late_join" BOOLEAN NOT NULL DEFAULT true,
    "allow_resets" BOOLEAN NOT NULL DEFAULT false,
    "after_liquidation" "AfterLiquidation" NOT NULL DEFAULT 'CONTINUE',
    "reset_penalty" DECIMAL(38,18),
    "leaderboard" "LeaderboardVisibility" NOT NULL DEFAULT 'LIVE',
    "ranking" "CompetitionRanking" NOT NULL DEFAULT 'RETURN',
    "allow_bots" BOOLEAN NOT NULL DEFAULT false,
    "venue_id" VARCHAR(40) NOT NULL,
    "snapshot_seconds" INTEGER NOT NULL DEFAULT 60,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "competitions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "competition_hosts" (
    "competition_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "role" "CompetitionRole" NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "competition_hosts_pkey" PRIMARY KEY ("competition_id","user_id")
);

-- CreateTable
CREATE TABLE "competition_participants" (
    "id" UUID NOT NULL,
    "competition_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "status" "ParticipantStatus" NOT NULL DEFAULT 'ACTIVE',
    "joined_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resets" INTEGER NOT NULL DEFAULT 0,
    "status_changed_at" TIMESTAMPTZ(3),

    CONSTRAINT "competition_participants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "competition_announcements" (
    "id" BIGSERIAL NOT NULL,
    "competition_id" UUID NOT NULL,
    "author_id" UUID NOT NULL,
    "kind" "AnnouncementKind" NOT NULL,
    "text" VARCHAR(2000) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "competition_announcements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "competition_changes" (
    "id" BIGSERIAL NOT NULL,
    "competition_id" UUID NOT NULL,
    "actor_id" UUID NOT NULL,
    "field" VARCHAR(40) NOT NULL,
    "before" JSONB NOT NULL,
    "after" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "competition_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "equity_snapshots" (
    "competition_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "equity" DECIMAL(38,18) NOT NULL,
    "wallet_balance" DECIMAL(38,18) NOT NULL,

    CONSTRAINT "equity_snapshots_pkey" PRIMARY KEY ("account_id","at")
);

-- CreateIndex
CREATE UNIQUE INDEX "competitions_code_key" ON "competitions"("code");

-- CreateIndex
CREATE INDEX "competitions_state_starts_at_idx" ON "competitions"("state", "starts_at");

-- CreateIndex
CREATE INDEX "competition_hosts_user_id_idx" ON "competition_hosts"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "competition_participants_account_id_key" ON "competition_participants"("account_id");

-- CreateIndex
CREATE INDEX "competition_participants_user_id_idx" ON "competition_participants"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "competition_participants_competition_id_user_id_key" ON "competition_participants"("competition_id", "user_id");

-- CreateIndex
CREATE INDEX "competition_announcements_competition_id_id_idx" ON "competition_announcements"("competition_id", "id");

-- CreateIndex
CREATE INDEX "competition_changes_competition_id_id_idx" ON "competition_changes"("competition_id", "id");

-- CreateIndex
CREATE INDEX "equity_snapshots_competition_id_at_idx" ON "equity_snapshots"("competition_id", "at");

-- AddForeignKey
ALTER TABLE "competitions" ADD CONSTRAINT "competitions_venue_id_fkey" FOREIGN KEY ("venue_id") REFERENCES "venues"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "competition_hosts" ADD CONSTRAINT "competition_hosts_competition_id_fkey" FOREIGN KEY ("competition_id") REFERENCES "competitions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "competition_hosts" ADD CONSTRAINT "competition_hosts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "competition_participants" ADD CONSTRAINT "competition_participants_competition_id_fkey" FOREIGN KEY ("competition_id") REFERENCES "competitions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "competition_participants" ADD CONSTRAINT "competition_participants_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "competition_participants" ADD CONSTRAINT "competition_participants_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "paper_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "competition_announcements" ADD CONSTRAINT "competition_announcements_competition_id_fkey" FOREIGN KEY ("competition_id") REFERENCES "competitions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "competition_changes" ADD CONSTRAINT "competition_changes_competition_id_fkey" FOREIGN KEY ("competition_id") REFERENCES "competitions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "equity_snapshots" ADD CONSTRAINT "equity_snapshots_competition_id_fkey" FOREIGN KEY ("competition_id") REFERENCES "competitions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "equity_snapshots" ADD CONSTRAINT "equity_snapshots_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "paper_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

