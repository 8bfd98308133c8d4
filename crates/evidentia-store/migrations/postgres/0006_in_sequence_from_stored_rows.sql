-- Evidentia server workspace format 6: the in-sequence check reads the statement's rows back
-- from the table instead of a transition table. A transition table holds every inserted row
-- whole, so a COPY of 1,024-record set entries wrote some 300 MB of payloads into a tuplestore
-- only to read their seqs and hashes back (0.3 s of a 1M-row import); the rows read back here
-- are the heap's, whose large payloads stay in TOAST, unread. The rules are format 5's:
-- the statement's rows are contiguous, the first follows the head as it was when the statement
-- began (or is entry 1 after the zero hash), and each names its predecessor's hash. The primary
-- key (seq >= 1) refuses a row at a taken seq. A format-5 workspace keeps format 5's check
-- until a login that owns its tables opens it for writing (docs/team-workspaces.md).
-- Never edit this file once shipped; add a new migration instead.

-- The head before the statement, for the check after it (transaction-local setting: each
-- statement sets its own).
CREATE FUNCTION evidentia_ledger_head_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('evidentia.head_before',
                       (SELECT coalesce(max(seq), 0) FROM ledger_entries)::text, true);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION evidentia_ledger_in_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head   BIGINT := current_setting('evidentia.head_before')::bigint;
    lo     BIGINT;
    hi     BIGINT;
    n      BIGINT;
    first  BYTEA;
    broken BOOLEAN;
    prev   BYTEA;
BEGIN
    -- One ordered pass over the rows after the head (an index range scan): contiguity, the
    -- first row's link and every other row's link at once.
    SELECT min(seq), max(seq), count(*),
           bool_or(before IS NOT NULL AND prev_hash <> before),
           (array_agg(prev_hash ORDER BY seq))[1]
      INTO lo, hi, n, broken, first
      FROM (SELECT seq, prev_hash, lag(entry_hash) OVER (ORDER BY seq) AS before
              FROM ledger_entries WHERE seq > head) linked;
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    IF lo <> head + 1 OR hi - lo + 1 <> n THEN
        RAISE EXCEPTION 'ledger entries are appended at the next sequence number, after the head'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF head = 0 THEN
        prev := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    ELSE
        SELECT entry_hash INTO prev FROM ledger_entries WHERE seq = head;
    END IF;
    IF prev IS NULL OR first IS DISTINCT FROM prev THEN
        RAISE EXCEPTION 'ledger entries are appended at the next sequence number, after the head'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF broken THEN
        RAISE EXCEPTION 'a ledger entry does not name its predecessor''s hash'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER ledger_entries_in_sequence ON ledger_entries;
CREATE TRIGGER ledger_entries_head_before BEFORE INSERT ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION evidentia_ledger_head_before();
CREATE TRIGGER ledger_entries_in_sequence AFTER INSERT ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION evidentia_ledger_in_sequence();
