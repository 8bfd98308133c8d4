-- Evidentia workspace format 2: a derived, rebuildable projection of the last recorded analysis's
-- evidence chains, so the desktop's Events table pages and filters in SQLite.
-- NOT evidence: no ledger entry commits to these rows, verification ignores them, the next
-- `analyze` replaces them whole, and they can always be rebuilt from the ledger. They therefore
-- carry no append-only triggers (those guard the ledger tables of 0001 only).
-- Never edit this file once shipped; add a new migration instead.

-- The analysis run the projection was written from (at most one row).
CREATE TABLE event_chain_runs (
    run_seq INTEGER PRIMARY KEY NOT NULL, -- the `analysis.run` ledger entry
    events  INTEGER NOT NULL
) STRICT;

-- One row per lifecycle event in the run's period, in the run's order.
CREATE TABLE event_chains (
    position      INTEGER PRIMARY KEY NOT NULL, -- 0-based rank: effective time, then ledger seq
    event_seq     INTEGER NOT NULL UNIQUE,      -- the `record.lifecycle_event` entry
    event_id      TEXT NOT NULL,
    identity      TEXT NOT NULL COLLATE NOCASE,
    identity_kind TEXT NOT NULL,                -- human | nhi
    event_kind    TEXT NOT NULL,                -- joiner | mover | leaver | nhi_created | ...
    effective_at  TEXT NOT NULL,
    status        TEXT NOT NULL,                -- the worst link status over its systems
    systems       TEXT NOT NULL,                -- system ids, comma-separated, for display
    links         TEXT NOT NULL                 -- JSON: per system, each link with its ledger seqs
) STRICT;
-- The identity text filter (a case-insensitive prefix); the other filters use the index below.
CREATE INDEX event_chains_by_identity ON event_chains (identity, position);

-- Every combination of the table's equality filters that occurs: system ('' = any system; with
-- a system, the status is that system's own), human/nhi, event kind, status, and how many events
-- fall in it. The total under any filter is a sum over these few rows.
CREATE TABLE event_chain_combos (
    combo         INTEGER PRIMARY KEY NOT NULL,
    system        TEXT NOT NULL,
    identity_kind TEXT NOT NULL,
    event_kind    TEXT NOT NULL,
    status        TEXT NOT NULL,
    events        INTEGER NOT NULL,
    UNIQUE (system, identity_kind, event_kind, status)
) STRICT;

-- Each event under its combination for "any system" and for each system it reached, with its
-- rank inside that combination: the k-th match of any filter is found by seeking these ranks
-- (a few index lookups per combination), never by counting rows, so a deep page at a million
-- events costs what the first one does.
CREATE TABLE event_chain_index (
    combo    INTEGER NOT NULL,
    position INTEGER NOT NULL,
    rank     INTEGER NOT NULL, -- 0-based rank of the event inside its combination
    PRIMARY KEY (combo, position)
) STRICT, WITHOUT ROWID;
