-- Readers ask for entries by kind (the current policy, every execution record); an index on
-- (kind, seq) answers that without scanning the whole ledger.
CREATE INDEX ledger_entries_by_kind ON ledger_entries (kind, seq);
