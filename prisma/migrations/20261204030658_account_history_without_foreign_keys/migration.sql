-- The rest of an account's append-only history follows account_events (20261204022930): fills,
-- liquidations and funding payments are written under the account's row lock by the statement
-- that updates the account, so their foreign keys to paper_accounts checked what the writer
-- guarantees, one query per row (22,500 of them in the 10,000-account cascade, 10,000 in each
-- funding run). One trigger now deletes the whole history with its account.

-- DropForeignKey
ALTER TABLE "fills" DROP CONSTRAINT "fills_account_id_fkey";

-- DropForeignKey
ALTER TABLE "funding_payments" DROP CONSTRAINT "funding_payments_account_id_fkey";

-- DropForeignKey
ALTER TABLE "liquidations" DROP CONSTRAINT "liquidations_account_id_fkey";

-- One trigger for the account's history (it replaces the events' own)
DROP TRIGGER "paper_accounts_delete_events" ON "paper_accounts";
DROP FUNCTION "delete_account_events"();

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
