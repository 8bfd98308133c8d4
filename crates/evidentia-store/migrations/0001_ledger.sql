-- Evidentia workspace format 1: the append-only evidence ledger and its content-addressed artifacts.
-- Never edit this file once shipped; add a new migration instead.

-- Written once at creation: workspace id, creating version, creation time.
CREATE TABLE workspace_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

-- One row per ledger entry; see docs/ledger-format.md for what the hashes cover.
CREATE TABLE ledger_entries (
    seq          INTEGER PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    payload      BLOB NOT NULL,
    payload_hash BLOB NOT NULL,
    prev_hash    BLOB NOT NULL,
    entry_hash   BLOB NOT NULL
) STRICT;

-- Imported files, addressed by the SHA-256 of their bytes, stored in 1 MiB chunks so that a
-- large file never has to sit in memory whole.
CREATE TABLE artifacts (
    sha256      BLOB PRIMARY KEY NOT NULL,
    size        INTEGER NOT NULL,
    chunk_count INTEGER NOT NULL
) STRICT;

CREATE TABLE artifact_chunks (
    sha256 BLOB NOT NULL,
    idx    INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (sha256, idx)
) STRICT;

-- The head of the ledger at a moment: reports and packs name the checkpoint they were made from.
CREATE TABLE checkpoints (
    id          INTEGER PRIMARY KEY NOT NULL,
    entry_count INTEGER NOT NULL,
    head_hash   BLOB NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

-- Defence in depth, not the guarantee (verification is): refuse edits through SQL.
CREATE TRIGGER workspace_meta_no_update BEFORE UPDATE ON workspace_meta
BEGIN SELECT RAISE(ABORT, 'workspace metadata is write-once'); END;
CREATE TRIGGER workspace_meta_no_delete BEFORE DELETE ON workspace_meta
BEGIN SELECT RAISE(ABORT, 'workspace metadata is write-once'); END;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER artifacts_no_update BEFORE UPDATE ON artifacts
BEGIN SELECT RAISE(ABORT, 'artifacts are append-only'); END;
CREATE TRIGGER artifacts_no_delete BEFORE DELETE ON artifacts
BEGIN SELECT RAISE(ABORT, 'artifacts are append-only'); END;
CREATE TRIGGER artifact_chunks_no_update BEFORE UPDATE ON artifact_chunks
BEGIN SELECT RAISE(ABORT, 'artifacts are append-only'); END;
CREATE TRIGGER artifact_chunks_no_delete BEFORE DELETE ON artifact_chunks
BEGIN SELECT RAISE(ABORT, 'artifacts are append-only'); END;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
