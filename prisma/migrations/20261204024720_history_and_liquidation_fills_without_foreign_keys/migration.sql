-- Two more foreign keys of append-only rows that their writer guarantees (see the previous
-- migration, for the account's history): an order's status history is written by the statement
-- that writes the order, and a liquidation close's fill by the statement that inserts its
-- liquidation. Each cost one query per new row. A fill goes with its account (the account-history
-- trigger); an order's history goes with the order by a trigger of its own.

-- DropForeignKey
ALTER TABLE "order_status_changes" DROP CONSTRAINT "order_status_changes_order_id_fkey";

-- DropForeignKey
ALTER TABLE "fills" DROP CONSTRAINT "fills_liquidation_id_fkey";

-- An order's history goes with it (the foreign key's ON DELETE CASCADE)
CREATE FUNCTION "delete_order_history"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "order_status_changes" h USING old_orders o WHERE h."order_id" = o."id";
  RETURN NULL;
END $$;

CREATE TRIGGER "orders_delete_history" AFTER DELETE ON "orders"
  REFERENCING OLD TABLE AS old_orders FOR EACH STATEMENT EXECUTE FUNCTION "delete_order_history"();
