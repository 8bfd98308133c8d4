//! Checking a chain entry by entry and naming the first entry that does not hold.

use std::fmt;

use crate::{Entry, Hash, entry_hash, parse_recorded_at, payload_hash};

/// Why an entry fails verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureReason {
    /// The sequence number is not the next one: entries are missing before it.
    Gap { expected: u64, found: u64 },
    /// The entry's hash is valid for another position: entries were moved.
    Reordered { recorded_as: u64 },
    /// The stored payload bytes do not hash to the stored payload hash.
    PayloadHashMismatch { stored: Hash, computed: Hash },
    /// The entry's fields do not hash to its stored entry hash.
    EntryHashMismatch { stored: Hash, computed: Hash },
    /// The entry does not name the previous entry's hash as its predecessor.
    BrokenLink { expected: Hash, found: Hash },
    /// A stored field is malformed (hash not 32 bytes, time not canonical, kind empty).
    Malformed(String),
    /// The ledger has fewer entries than a checkpoint or the caller expects.
    Truncated { expected: u64, found: u64 },
    /// A checkpoint names a head that the entry at its position does not have.
    CheckpointMismatch {
        checkpoint: u64,
        expected: Hash,
        found: Hash,
    },
    /// An artifact's stored bytes do not hash to its content address (or are missing).
    Artifact { sha256: String, problem: String },
    /// A row sits outside the chain (`seq` below 1), where no hash covers it.
    OutsideChain { seq: i64 },
    /// A checkpoint's tree root or signed note does not match the verified entries.
    CheckpointTree { checkpoint: u64, problem: String },
    /// The ledger is not an extension of a head the caller trusts.
    Diverged { problem: String },
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureReason::Gap { expected, found } => {
                write!(f, "gap: expected entry {expected}, found {found}")
            }
            FailureReason::Reordered { recorded_as } => {
                write!(
                    f,
                    "reordered: this entry was recorded at position {recorded_as}"
                )
            }
            FailureReason::PayloadHashMismatch { stored, computed } => write!(
                f,
                "payload hash mismatch: stored {stored}, payload bytes hash to {computed}"
            ),
            FailureReason::EntryHashMismatch { stored, computed } => write!(
                f,
                "entry hash mismatch: stored {stored}, fields hash to {computed}"
            ),
            FailureReason::BrokenLink { expected, found } => write!(
                f,
                "broken link: previous entry hash is {expected}, entry names {found}"
            ),
            FailureReason::Malformed(what) => write!(f, "malformed entry: {what}"),
            FailureReason::Truncated { expected, found } => {
                write!(f, "truncated: expected {expected} entries, found {found}")
            }
            FailureReason::CheckpointMismatch {
                checkpoint,
                expected,
                found,
            } => write!(
                f,
                "checkpoint {checkpoint} names head {expected}, the ledger has {found} there"
            ),
            FailureReason::Artifact { sha256, problem } => {
                write!(f, "artifact {sha256}: {problem}")
            }
            FailureReason::OutsideChain { seq } => write!(
                f,
                "row outside the chain: a ledger row has seq {seq}, the chain starts at 1"
            ),
            FailureReason::CheckpointTree {
                checkpoint,
                problem,
            } => write!(f, "checkpoint {checkpoint}: {problem}"),
            FailureReason::Diverged { problem } => write!(f, "{problem}"),
        }
    }
}

/// The first failing position and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("entry {seq}: {reason}")]
pub struct Failure {
    /// The first sequence number that fails (for artifacts and checkpoints, the entry that
    /// refers to them, or 0 when no entry does).
    pub seq: u64,
    pub reason: FailureReason,
}

/// An entry's fields borrowed from wherever they are stored.
#[derive(Debug, Clone, Copy)]
pub struct EntryRef<'a> {
    pub seq: u64,
    pub kind: &'a str,
    pub recorded_at: &'a str,
    pub payload: &'a [u8],
    pub payload_hash: Hash,
    pub prev_hash: Hash,
    pub entry_hash: Hash,
}

/// Consumes entries in ascending sequence order and checks each against its predecessor.
#[derive(Debug, Clone)]
pub struct Verifier {
    count: u64,
    head: Hash,
    /// The last recorded time found canonical: entries of one batch share their time, so
    /// most entries skip re-checking it.
    last_valid_time: String,
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

/// How far either side of its position an entry's hash is tried to tell a swap from an edit.
const REORDER_WINDOW: u64 = 64;

impl Verifier {
    /// Starts at an empty ledger.
    pub fn new() -> Self {
        Self {
            count: 0,
            head: Hash::ZERO,
            last_valid_time: String::new(),
        }
    }

    /// Continues from a ledger position whose first `count` entries are checked elsewhere and
    /// whose entry `count` has hash `head` (for verifying ranges in parallel).
    pub fn resume(count: u64, head: Hash) -> Self {
        Self {
            count,
            head,
            last_valid_time: String::new(),
        }
    }

    /// Entries verified so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The hash of the last verified entry ([`Hash::ZERO`] when none).
    pub fn head(&self) -> Hash {
        self.head
    }

    /// Checks the next entry. On success it becomes the new head.
    pub fn push(&mut self, entry: &Entry) -> Result<(), Failure> {
        self.push_ref(EntryRef {
            seq: entry.seq,
            kind: &entry.kind,
            recorded_at: &entry.recorded_at,
            payload: &entry.payload,
            payload_hash: entry.payload_hash,
            prev_hash: entry.prev_hash,
            entry_hash: entry.entry_hash,
        })
    }

    /// Checks the next entry from borrowed fields (a database row), without copying them.
    pub fn push_ref(&mut self, entry: EntryRef<'_>) -> Result<(), Failure> {
        let expected_seq = self.count + 1;
        let fail = |reason| {
            Err(Failure {
                seq: expected_seq,
                reason,
            })
        };
        if entry.seq != expected_seq {
            return fail(FailureReason::Gap {
                expected: expected_seq,
                found: entry.seq,
            });
        }
        if entry.kind.is_empty() {
            return fail(FailureReason::Malformed("empty kind".into()));
        }
        if entry.recorded_at != self.last_valid_time {
            if parse_recorded_at(entry.recorded_at).is_none() {
                return fail(FailureReason::Malformed(format!(
                    "recorded time {:?} is not canonical",
                    entry.recorded_at
                )));
            }
            entry.recorded_at.clone_into(&mut self.last_valid_time);
        }
        let computed_payload = payload_hash(entry.payload);
        if computed_payload != entry.payload_hash {
            return fail(FailureReason::PayloadHashMismatch {
                stored: entry.payload_hash,
                computed: computed_payload,
            });
        }
        let computed = entry_hash(
            entry.seq,
            entry.kind,
            entry.recorded_at,
            &entry.payload_hash,
            &entry.prev_hash,
        );
        if computed != entry.entry_hash {
            if let Some(recorded_as) = self.recorded_position(&entry) {
                return fail(FailureReason::Reordered { recorded_as });
            }
            return fail(FailureReason::EntryHashMismatch {
                stored: entry.entry_hash,
                computed,
            });
        }
        if entry.prev_hash != self.head {
            return fail(FailureReason::BrokenLink {
                expected: self.head,
                found: entry.prev_hash,
            });
        }
        self.count = entry.seq;
        self.head = entry.entry_hash;
        Ok(())
    }

    /// Finds the position, near this one, whose sequence number makes the entry's own hash
    /// come out right: the sign that intact entries were moved rather than edited.
    fn recorded_position(&self, entry: &EntryRef<'_>) -> Option<u64> {
        let low = entry.seq.saturating_sub(REORDER_WINDOW).max(1);
        let high = entry.seq.saturating_add(REORDER_WINDOW);
        (low..=high).filter(|&s| s != entry.seq).find(|&s| {
            entry_hash(
                s,
                entry.kind,
                entry.recorded_at,
                &entry.payload_hash,
                &entry.prev_hash,
            ) == entry.entry_hash
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Chain;
    use proptest::prelude::*;

    fn chain_of(n: usize) -> Vec<Entry> {
        let mut chain = Chain::new();
        (0..n)
            .map(|i| {
                chain.next_entry(
                    "note",
                    "2026-01-01T00:00:00.000000Z",
                    format!("{{\"i\":{i}}}").into_bytes(),
                )
            })
            .collect()
    }

    fn first_failure(entries: &[Entry]) -> Option<Failure> {
        let mut verifier = Verifier::new();
        entries.iter().find_map(|e| verifier.push(e).err())
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(first_failure(&chain_of(10)), None);
    }

    #[test]
    fn swapped_entries_are_reported_as_reordered() {
        let mut entries = chain_of(10);
        entries.swap(4, 5);
        // Rows keep their positions' sequence numbers, as in a database whose rows were swapped.
        entries[4].seq = 5;
        entries[5].seq = 6;
        let failure = first_failure(&entries).unwrap();
        assert_eq!(failure.seq, 5);
        assert_eq!(failure.reason, FailureReason::Reordered { recorded_as: 6 });
    }

    #[test]
    fn deleted_entry_is_a_gap() {
        let mut entries = chain_of(10);
        entries.remove(3);
        let failure = first_failure(&entries).unwrap();
        assert_eq!(failure.seq, 4);
        assert!(matches!(
            failure.reason,
            FailureReason::Gap {
                expected: 4,
                found: 5
            }
        ));
    }

    #[test]
    fn relinked_entry_is_a_broken_link() {
        let mut entries = chain_of(3);
        // Rehash entry 2 honestly but over the wrong predecessor.
        let e = &mut entries[1];
        e.prev_hash = Hash::of(b"elsewhere");
        e.entry_hash = entry_hash(
            e.seq,
            &e.kind,
            &e.recorded_at,
            &e.payload_hash,
            &e.prev_hash,
        );
        let failure = first_failure(&entries).unwrap();
        assert_eq!(failure.seq, 2);
        assert!(matches!(failure.reason, FailureReason::BrokenLink { .. }));
    }

    proptest! {
        #[test]
        fn any_appended_sequence_verifies(payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..40)) {
            let mut chain = Chain::new();
            let mut verifier = Verifier::new();
            for p in payloads {
                let e = chain.next_entry("k", "2026-01-01T00:00:00.000000Z", p);
                prop_assert!(verifier.push(&e).is_ok());
            }
            prop_assert_eq!(verifier.head(), chain.head());
        }

        #[test]
        fn any_single_byte_change_fails(n in 1usize..12, target in any::<prop::sample::Index>(), field in 0usize..6, byte in any::<prop::sample::Index>(), flip in 1u8..=255) {
            let mut entries = chain_of(n);
            let e = &mut entries[target.index(n)];
            match field {
                0 => { let i = byte.index(e.payload.len()); e.payload[i] ^= flip; }
                1 => { e.payload_hash.0[byte.index(32)] ^= flip; }
                2 => { e.prev_hash.0[byte.index(32)] ^= flip; }
                3 => { e.entry_hash.0[byte.index(32)] ^= flip; }
                4 => { let mut k = e.kind.clone().into_bytes(); let i = byte.index(k.len()); k[i] ^= flip; e.kind = String::from_utf8_lossy(&k).into_owned(); }
                _ => { let mut t = e.recorded_at.clone().into_bytes(); let i = byte.index(t.len()); t[i] ^= flip; e.recorded_at = String::from_utf8_lossy(&t).into_owned(); }
            }
            let mut verifier = Verifier::new();
            let failed = entries.iter().any(|e| verifier.push(e).is_err());
            prop_assert!(failed);
        }
    }
}
