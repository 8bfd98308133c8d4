-- Evidentia workspace format 5 on PostgreSQL: the same ledger, artifacts and checkpoints as the
-- SQLite file's migrations 0001-0005, in one file because a PostgreSQL workspace starts at
-- format 5 (its first migration is numbered 5, so max(version) in _sqlx_migrations is the
-- format on both backends). The event-chain projection is not here: for a server workspace it
-- is a local cache on each client (docs/team-workspace-design.md).
-- Never edit this file once shipped; add a new migration instead.

-- Written once at creation: workspace id, creating version, creation time, format.
CREATE TABLE workspace_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per ledger entry; see docs/ledger-format.md for what the hashes cover. The store
-- writes the bytes the ledger crate computed, so hashes are the same as in a SQLite file.
CREATE TABLE ledger_entries (
    seq          BIGINT PRIMARY KEY CHECK (seq >= 1),
    kind         TEXT   NOT NULL,
    recorded_at  TEXT   NOT NULL,
    payload      BYTEA  NOT NULL,
    payload_hash BYTEA  NOT NULL CHECK (octet_length(payload_hash) = 32),
    prev_hash    BYTEA  NOT NULL CHECK (octet_length(prev_hash) = 32),
    entry_hash   BYTEA  NOT NULL CHECK (octet_length(entry_hash) = 32),
    -- Who appended the row, as the server saw the login: an attestation outside the hash,
    -- which the writer role cannot set (it is granted INSERT on the seven columns above only).
    recorded_by  TEXT   NOT NULL DEFAULT session_user
);

-- Imported files, addressed by the SHA-256 of their bytes, in 1 MiB chunks.
CREATE TABLE artifacts (
    sha256      BYTEA  PRIMARY KEY CHECK (octet_length(sha256) = 32),
    size        BIGINT NOT NULL CHECK (size >= 0),
    chunk_count BIGINT NOT NULL CHECK (chunk_count >= 0)
);

CREATE TABLE artifact_chunks (
    sha256 BYTEA  NOT NULL CHECK (octet_length(sha256) = 32),
    idx    BIGINT NOT NULL CHECK (idx >= 0),
    data   BYTEA  NOT NULL,
    PRIMARY KEY (sha256, idx)
);

-- The head at a moment, with (since SQLite's format 3) the RFC 9162 tree root over entries
-- 1..entry_count and its C2SP signed note ('' when unsigned): SQLite's checkpoints and
-- checkpoint_trees in one table. tree_root and note are NULL together, only for checkpoints
-- copied from a file made before format 3. `id` is given by the writer (max + 1 under the
-- append lock), so ids are dense and `evidentia migrate` keeps them.
CREATE TABLE checkpoints (
    id          BIGINT PRIMARY KEY CHECK (id >= 1),
    entry_count BIGINT NOT NULL CHECK (entry_count >= 0),
    head_hash   BYTEA  NOT NULL CHECK (octet_length(head_hash) = 32),
    created_at  TEXT   NOT NULL,
    created_by  TEXT,
    tree_root   BYTEA  CHECK (octet_length(tree_root) = 32),
    note        TEXT,
    recorded_by TEXT   NOT NULL DEFAULT session_user,
    CHECK ((tree_root IS NULL) = (note IS NULL))
);

-- Defence in depth, not the guarantee (verification is): refuse edits through SQL.
CREATE FUNCTION evidentia_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE TRIGGER workspace_meta_append_only BEFORE UPDATE OR DELETE ON workspace_meta
    FOR EACH ROW EXECUTE FUNCTION evidentia_refuse_change();
CREATE TRIGGER workspace_meta_no_truncate BEFORE TRUNCATE ON workspace_meta
    FOR EACH STATEMENT EXECUTE FUNCTION evidentia_refuse_change();
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION evidentia_refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION evidentia_refuse_change();
CREATE TRIGGER artifacts_append_only BEFORE UPDATE OR DELETE ON artifacts
    FOR EACH ROW EXECUTE FUNCTION evidentia_refuse_change();
CREATE TRIGGER artifacts_no_truncate BEFORE TRUNCATE ON artifacts
    FOR EACH STATEMENT EXECUTE FUNCTION evidentia_refuse_change();
CREATE TRIGGER artifact_chunks_append_only BEFORE UPDATE OR DELETE ON artifact_chunks
    FOR EACH ROW EXECUTE FUNCTION evidentia_refuse_change();
CREATE TRIGGER artifact_chunks_no_truncate BEFORE TRUNCATE ON artifact_chunks
    FOR EACH STATEMENT EXECUTE FUNCTION evidentia_refuse_change();
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION evidentia_refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION evidentia_refuse_change();

-- Rows go only at the next sequence numbers and each names its predecessor's hash, checked
-- once per statement over all its rows (a per-row trigger cost ~3.8x a plain COPY, this ~1.8x;
-- docs/team-workspace-design.md §2.7). The statement's rows must be contiguous, the first must
-- follow a stored row (or be entry 1 after the zero hash), and each must link to the one before.
-- The primary key refuses a second row at a taken seq, so two appends can never share a
-- predecessor: the chain cannot fork even without the append lock.
CREATE FUNCTION evidentia_ledger_in_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lo    BIGINT;
    hi    BIGINT;
    n     BIGINT;
    first BYTEA;
    prev  BYTEA;
BEGIN
    SELECT min(seq), max(seq), count(*) INTO lo, hi, n FROM new_rows;
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    IF hi - lo + 1 <> n THEN
        RAISE EXCEPTION 'ledger entries are appended at consecutive sequence numbers'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    SELECT prev_hash INTO first FROM new_rows WHERE seq = lo;
    IF lo = 1 THEN
        prev := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    ELSE
        SELECT entry_hash INTO prev FROM ledger_entries WHERE seq = lo - 1;
    END IF;
    IF prev IS NULL OR first IS DISTINCT FROM prev
       OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq > hi) THEN
        RAISE EXCEPTION 'ledger entries are appended at the next sequence number, after the head'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    -- One ordered pass (a sort), not a self-join: the transition table has no statistics and
    -- no index, and a nested loop over a million rows reads it a million times.
    IF EXISTS (SELECT 1 FROM (SELECT prev_hash, lag(entry_hash) OVER (ORDER BY seq) AS before
                              FROM new_rows) linked
               WHERE before IS NOT NULL AND prev_hash <> before) THEN
        RAISE EXCEPTION 'a ledger entry does not name its predecessor''s hash'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER ledger_entries_in_sequence AFTER INSERT ON ledger_entries
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION evidentia_ledger_in_sequence();
