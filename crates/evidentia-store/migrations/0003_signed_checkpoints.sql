-- Evidentia workspace format 3: checkpoints gain their Merkle tree root and signed note, and
-- ledger rows can only be inserted at the next sequence number.
-- Never edit this file once shipped; add a new migration instead.

-- One row per checkpoint recorded since format 3: the RFC 9162 tree root over entries
-- 1..entry_count and the C2SP signed note of it ('' when no signing key was available).
-- See docs/ledger-format.md, sections 16 and 17.
CREATE TABLE checkpoint_trees (
    checkpoint_id INTEGER PRIMARY KEY NOT NULL,
    tree_root     BLOB NOT NULL,
    note          TEXT NOT NULL
) STRICT;

CREATE TRIGGER checkpoint_trees_no_update BEFORE UPDATE ON checkpoint_trees
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoint_trees_no_delete BEFORE DELETE ON checkpoint_trees
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;

-- Defence in depth against rows outside the chain (a row at seq 0 was once read by the
-- analysis while verification never saw it); verification checks this independently.
CREATE TRIGGER ledger_entries_in_sequence BEFORE INSERT ON ledger_entries
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM ledger_entries)
BEGIN SELECT RAISE(ABORT, 'ledger entries are appended at the next sequence number'); END;
