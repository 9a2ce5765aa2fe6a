-- DropIndex
DROP INDEX "account_events_account_id_seq_key";

-- AlterTable
ALTER TABLE "account_events" DROP CONSTRAINT "account_events_pkey",
DROP COLUMN "id",
ADD CONSTRAINT "account_events_pkey" PRIMARY KEY ("account_id", "seq");

