-- account_events is the largest append-only table (about 4 rows per liquidated account) and every
-- row of it is written under its account's row lock, by the statement that updates that row
-- (persist.ts) or in the transaction that holds its lock (account-events.ts). Its foreign key made
-- PostgreSQL check each new row against paper_accounts, one query per row: about 40% of the
-- foreign-key checks of the worker's liquidations. It goes; a trigger keeps the cascade on delete.

-- DropForeignKey
ALTER TABLE "account_events" DROP CONSTRAINT "account_events_account_id_fkey";

-- An account's events go with it (the foreign key's ON DELETE CASCADE)
CREATE FUNCTION "delete_account_events"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "account_events" e USING old_accounts o WHERE e."account_id" = o."id";
  RETURN NULL;
END $$;

CREATE TRIGGER "paper_accounts_delete_events" AFTER DELETE ON "paper_accounts"
  REFERENCING OLD TABLE AS old_accounts FOR EACH STATEMENT EXECUTE FUNCTION "delete_account_events"();
