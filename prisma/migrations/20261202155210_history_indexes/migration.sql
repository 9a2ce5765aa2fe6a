-- History pages read an account's rows newest first by seq (orders) or event seq (fills, ledger
-- lines), and a book's lines newest first by id: without these indexes each page scanned and sorted
-- every row of the account (about 50 ms at 100,000 orders). Within an account seq and order_no grow
-- together, so the orders index serves either order. The three indexes dropped were used by no
-- query for its order (ledger_entries' tx_id by no query at all).

-- DropIndex
DROP INDEX "orders_account_id_created_at_idx";

-- DropIndex
DROP INDEX "ledger_entries_tx_id_idx";

-- DropIndex
DROP INDEX "ledger_entries_book_created_at_idx";

-- CreateIndex
CREATE INDEX "orders_account_id_seq_idx" ON "orders"("account_id", "seq");

-- CreateIndex
CREATE INDEX "fills_account_id_event_seq_idx" ON "fills"("account_id", "event_seq");

-- CreateIndex
CREATE INDEX "ledger_entries_book_event_seq_idx" ON "ledger_entries"("book", "event_seq");

-- CreateIndex
CREATE INDEX "ledger_entries_book_id_idx" ON "ledger_entries"("book", "id");

