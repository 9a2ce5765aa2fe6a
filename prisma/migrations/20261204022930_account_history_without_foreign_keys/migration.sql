-- An account's append-only history (its events, fills, liquidations and funding payments) is
-- written under the account's row lock, by the statement that updates that row (persist.ts) or in
-- the transaction that holds its lock (account-events.ts). Its foreign keys to paper_accounts made
-- PostgreSQL check each new row with one query: 60,800 checks in the 10,000-account cascade (the
-- events' alone 38,000), 10,000 in each funding run. They go; one trigger keeps the cascade on
-- delete.

-- DropForeignKey
ALTER TABLE "account_events" DROP CONSTRAINT "account_events_account_id_fkey";

-- DropForeignKey
ALTER TABLE "fills" DROP CONSTRAINT "fills_account_id_fkey";

-- DropForeignKey
ALTER TABLE "funding_payments" DROP CONSTRAINT "funding_payments_account_id_fkey";

-- DropForeignKey
ALTER TABLE "liquidations" DROP CONSTRAINT "liquidations_account_id_fkey";

-- An account's history goes with it (the foreign keys' ON DELETE CASCADE)
CREATE FUNCTION "delete_account_history"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "account_events" e USING old_accounts o WHERE e."account_id" = o."id";
  DELETE FROM "fills" f USING old_accounts o WHERE f."account_id" = o."id";
  DELETE FROM "liquidations" l USING old_accounts o WHERE l."account_id" = o."id";
  DELETE FROM "funding_payments" p USING old_accounts o WHERE p."account_id" = o."id";
  RETURN NULL;
END $$;

CREATE TRIGGER "paper_accounts_delete_history" AFTER DELETE ON "paper_accounts"
  REFERENCING OLD TABLE AS old_accounts FOR EACH STATEMENT EXECUTE FUNCTION "delete_account_history"();
