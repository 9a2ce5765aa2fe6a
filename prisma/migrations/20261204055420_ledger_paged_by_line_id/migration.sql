-- DropIndex
DROP INDEX "ledger_entries_book_event_seq_idx";

