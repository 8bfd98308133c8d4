-- Evidentia workspace format 4: the event-chain projection stores each event's links as a
-- compact binary encoding (codes and integers) and the texts its links share (system ids, note
-- templates) once per run in `event_chain_terms`, instead of JSON repeating them per link.
-- The projection is a rebuildable cache, not evidence (see 0002): an older projection is
-- dropped here rather than converted, and the emptied `event_chain_runs` says "no analysis
-- recorded yet" until the next recorded analysis writes it again.
-- Never edit this file once shipped; add a new migration instead.

DELETE FROM event_chain_runs;
DELETE FROM event_chain_combos;
DELETE FROM event_chain_index;
DROP TABLE event_chains;

-- One row per lifecycle event in the run's period, in the run's order. As in format 2, but
-- `links` is the façade's binary encoding (docs/ledger-format.md) and the seq index is a named
-- index, so the writer can drop it during a bulk write and build it once at the end.
CREATE TABLE event_chains (
    position      INTEGER PRIMARY KEY NOT NULL, -- 0-based rank: effective time, then ledger seq
    event_seq     INTEGER NOT NULL,             -- the `record.lifecycle_event` entry
    event_id      TEXT NOT NULL,
    identity      TEXT NOT NULL COLLATE NOCASE,
    identity_kind TEXT NOT NULL,                -- human | nhi
    event_kind    TEXT NOT NULL,                -- joiner | mover | leaver | nhi_created | ...
    effective_at  TEXT NOT NULL,
    status        TEXT NOT NULL,                -- the worst link status over its systems
    systems       TEXT NOT NULL,                -- system ids, comma-separated, for display
    links         BLOB NOT NULL                 -- per system, each link: codes, times, seqs
) STRICT;
CREATE UNIQUE INDEX event_chains_by_seq ON event_chains (event_seq);
-- The identity text filter (a case-insensitive prefix); the other filters use the index below.
CREATE INDEX event_chains_by_identity ON event_chains (identity, position);

-- The texts the run's links share, each once: `links` names them by `term`.
CREATE TABLE event_chain_terms (
    term INTEGER PRIMARY KEY NOT NULL,
    text TEXT NOT NULL
) STRICT;
