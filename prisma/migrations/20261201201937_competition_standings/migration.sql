-- AlterTable
ALTER TABLE "competitions" ADD COLUMN     "finalized_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "competition_participants" ADD COLUMN     "last_adjusted" DECIMAL(38,18),
ADD COLUMN     "liquidations_handled_seq" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "max_drawdown" DECIMAL(38,18) NOT NULL DEFAULT 0,
ADD COLUMN     "peak_adjusted" DECIMAL(38,18),
ADD COLUMN     "penalty_withheld" DECIMAL(38,18) NOT NULL DEFAULT 0,
ADD COLUMN     "reset_flows" DECIMAL(38,18) NOT NULL DEFAULT 0,
ADD COLUMN     "snapshot_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "sum_changes" DECIMAL(38,18) NOT NULL DEFAULT 0,
ADD COLUMN     "sum_sq_changes" DECIMAL(38,18) NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "equity_snapshots" ADD COLUMN     "reset_flows" DECIMAL(38,18) NOT NULL DEFAULT 0;

