-- CreateEnum
CREATE TYPE "TeamKind" AS ENUM ('SHARED_ACCOUNT', 'AVERAGE');

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "client_address" VARCHAR(64);

-- CreateTable
CREATE TABLE "competition_teaching" (
    "competition_id" UUID NOT NULL,
    "notes_required" BOOLEAN NOT NULL DEFAULT false,
    "benchmark_symbol" VARCHAR(32),
    "mirror_seconds" INTEGER NOT NULL DEFAULT 5,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "competition_teaching_pkey" PRIMARY KEY ("competition_id")
);

-- CreateTable
CREATE TABLE "competition_risk_rules" (
    "id" UUID NOT NULL,
    "competition_id" UUID NOT NULL,
    "kind" VARCHAR(40) NOT NULL,
    "params" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "competition_risk_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rule_violations" (
    "id" BIGSERIAL NOT NULL,
    "competition_id" UUID NOT NULL,
    "rule_id" UUID NOT NULL,
    "participant_id" UUID NOT NULL,
    "key" VARCHAR(120) NOT NULL,
    "kind" VARCHAR(40) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "symbol" VARCHAR(32),
    "order_id" VARCHAR(64),
    "event_seq" INTEGER,
    "message" VARCHAR(500) NOT NULL,
    "figures" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rule_violations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rule_checks" (
    "participant_id" UUID NOT NULL,
    "competition_id" UUID NOT NULL,
    "evaluated_seq" INTEGER NOT NULL,
    "recheck_at" TIMESTAMPTZ(3),
    "status" JSONB NOT NULL,
    "evaluated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rule_checks_pkey" PRIMARY KEY ("participant_id")
);

-- CreateTable
CREATE TABLE "order_notes" (
    "order_id" VARCHAR(64) NOT NULL,
    "account_id" UUID NOT NULL,
    "author_id" UUID,
    "note" VARCHAR(500),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_notes_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "competition_teams" (
    "id" UUID NOT NULL,
    "competition_id" UUID NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "kind" "TeamKind" NOT NULL,
    "account_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "competition_teams_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "competition_team_members" (
    "participant_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "competition_team_members_pkey" PRIMARY KEY ("participant_id")
);

-- CreateTable
CREATE TABLE "competition_reports" (
    "competition_id" UUID NOT NULL,
    "computed_at" TIMESTAMPTZ(3) NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "competition_reports_pkey" PRIMARY KEY ("competition_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "competition_risk_rules_competition_id_kind_key" ON "competition_risk_rules"("competition_id", "kind");

-- CreateIndex
CREATE INDEX "rule_violations_competition_id_participant_id_at_idx" ON "rule_violations"("competition_id", "participant_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "rule_violations_rule_id_participant_id_key_key" ON "rule_violations"("rule_id", "participant_id", "key");

-- CreateIndex
CREATE INDEX "rule_checks_competition_id_idx" ON "rule_checks"("competition_id");

-- CreateIndex
CREATE INDEX "order_notes_account_id_created_at_idx" ON "order_notes"("account_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "competition_teams_account_id_key" ON "competition_teams"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "competition_teams_competition_id_name_key" ON "competition_teams"("competition_id", "name");

-- CreateIndex
CREATE INDEX "competition_team_members_team_id_idx" ON "competition_team_members"("team_id");

-- AddForeignKey
ALTER TABLE "competition_teaching" ADD CONSTRAINT "competition_teaching_competition_id_fkey" FOREIGN KEY ("competition_id") REFERENCES "competitions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "competition_risk_rules" ADD CONSTRAINT "competition_risk_rules_competition_id_fkey" FOREIGN KEY ("competition_id") REFERENCES "competitions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rule_violations" ADD CONSTRAINT "rule_violations_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "competition_risk_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rule_violations" ADD CONSTRAINT "rule_violations_participant_id_fkey" FOREIGN KEY ("participant_id") REFERENCES "competition_participants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rule_checks" ADD CONSTRAINT "rule_checks_participant_id_fkey" FOREIGN KEY ("participant_id") REFERENCES "competition_participants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_notes" ADD CONSTRAINT "order_notes_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_notes" ADD CONSTRAINT "order_notes_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "competition_teams" ADD CONSTRAINT "competition_teams_competition_id_fkey" FOREIGN KEY ("competition_id") REFERENCES "competitions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "competition_teams" ADD CONSTRAINT "competition_teams_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "paper_accounts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "competition_team_members" ADD CONSTRAINT "competition_team_members_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "competition_teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "competition_team_members" ADD CONSTRAINT "competition_team_members_participant_id_fkey" FOREIGN KEY ("participant_id") REFERENCES "competition_participants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "competition_reports" ADD CONSTRAINT "competition_reports_competition_id_fkey" FOREIGN KEY ("competition_id") REFERENCES "competitions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

