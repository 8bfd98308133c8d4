-- Issue #18 spike: what the ledger's in-sequence check costs under COPY, 200,000 chained rows.
-- Run against a throwaway cluster (it creates and drops schema trig_bench, writes /tmp/wt18-rows.copy):
--   psql "$(tools/pg_cluster.sh url target/pg)" -q -f crates/evidentia-store/tests/pg_spike/trigger_bench.sql
-- It times: \copy into a table without triggers (PLAIN) and into one with a statement-level check over
-- the batch (STATEMENT_TRIGGER), then shows that check refusing a fork and a gap.
-- The row-level trigger of pg_spike's SCHEMA was timed by hand the same way (1,328 ms vs 351 ms plain).
\timing on
DROP SCHEMA IF EXISTS trig_bench CASCADE; CREATE SCHEMA trig_bench; SET search_path = trig_bench;
CREATE TABLE src (seq BIGINT PRIMARY KEY, kind TEXT NOT NULL, recorded_at TEXT NOT NULL, payload BYTEA NOT NULL, payload_hash BYTEA NOT NULL, prev_hash BYTEA NOT NULL, entry_hash BYTEA NOT NULL);
INSERT INTO src SELECT g, 'bench', '2026-01-01T00:00:00.000000Z', convert_to('{"i":' || g || '}', 'UTF8'), sha256(int8send(g)),
       CASE WHEN g = 1 THEN '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea ELSE sha256(int8send(g - 1) || '\x01'::bytea) END,
       sha256(int8send(g) || '\x01'::bytea) FROM generate_series(1, 200000) g;
\copy (SELECT * FROM src ORDER BY seq) TO '/tmp/wt18-rows.copy' WITH (FORMAT binary)
CREATE TABLE plain (LIKE src INCLUDING ALL);
\echo PLAIN
\copy plain FROM '/tmp/wt18-rows.copy' WITH (FORMAT binary)
CREATE TABLE ledger_entries (LIKE src INCLUDING ALL);
-- One check per statement over the batch (transition table), instead of one per row.
CREATE FUNCTION ledger_batch_in_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE first_seq BIGINT; last_seq BIGINT; n BIGINT;
BEGIN
    SELECT min(seq), max(seq), count(*) INTO first_seq, last_seq, n FROM new_rows;
    IF n = 0 THEN RETURN NULL; END IF;
    IF last_seq - first_seq + 1 <> n
       OR EXISTS (SELECT 1 FROM ledger_entries WHERE seq > last_seq)
       OR (SELECT max(seq) FROM ledger_entries WHERE seq < first_seq) IS DISTINCT FROM NULLIF(first_seq - 1, 0)
       OR EXISTS (SELECT 1 FROM new_rows r LEFT JOIN ledger_entries p ON p.seq = r.seq - 1
                  WHERE r.prev_hash IS DISTINCT FROM COALESCE(p.entry_hash, CASE WHEN r.seq = 1 THEN '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea END))
    THEN
        RAISE EXCEPTION 'ledger entries are appended at the next sequence number, after the head'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_batch_in_sequence AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_batch_in_sequence();
\echo STATEMENT_TRIGGER
\copy ledger_entries FROM '/tmp/wt18-rows.copy' WITH (FORMAT binary)
SELECT count(*) FROM ledger_entries;
-- a forked batch is refused
\set ON_ERROR_STOP 0
INSERT INTO ledger_entries SELECT 200001, 'fork', recorded_at, payload, payload_hash, prev_hash, sha256('x') FROM ledger_entries WHERE seq = 200000;
INSERT INTO ledger_entries SELECT 200002, 'gap', recorded_at, payload, payload_hash, entry_hash, sha256('x') FROM ledger_entries WHERE seq = 200000;
DROP SCHEMA trig_bench CASCADE;
\! rm -f /tmp/wt18-rows.copy
