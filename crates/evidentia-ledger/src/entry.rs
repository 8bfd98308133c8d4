//! One ledger entry and the exact bytes its hash covers (format version 1).

use sha2::{Digest, Sha256};

use crate::Hash;

/// The domain-separation tag that starts every entry-hash input, so an entry hash can never
/// collide with a payload or artifact hash computed over the same bytes.
pub const ENTRY_TAG: &[u8] = b"evidentia/ledger-entry";

/// The version of the entry encoding below; a new encoding gets a new number.
pub const ENCODING_VERSION: u16 = 1;

/// One stored ledger entry with its hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based position in the ledger; the first entry is 1.
    pub seq: u64,
    /// What the entry records, e.g. `workspace.created`, `record.execution`.
    pub kind: String,
    /// When it was recorded, spelled by [`crate::format_recorded_at`].
    pub recorded_at: String,
    /// Canonical payload bytes (canonical JSON for every kind we write).
    pub payload: Vec<u8>,
    /// SHA-256 of `payload`.
    pub payload_hash: Hash,
    /// The previous entry's `entry_hash`; [`Hash::ZERO`] for the first entry.
    pub prev_hash: Hash,
    /// SHA-256 over the encoding of all of the above (see [`entry_hash`]).
    pub entry_hash: Hash,
}

/// SHA-256 of the payload bytes, untagged, so `sha256sum` of an exported payload matches.
pub fn payload_hash(payload: &[u8]) -> Hash {
    Hash::of(payload)
}

/// The entry hash: SHA-256 over
///
/// ```text
/// u32be(len(ENTRY_TAG)) ‖ ENTRY_TAG
/// u16be(ENCODING_VERSION)
/// u64be(seq)
/// u32be(len(kind)) ‖ kind (UTF-8)
/// u32be(len(recorded_at)) ‖ recorded_at (ASCII)
/// payload_hash (32 bytes)
/// prev_hash (32 bytes)
/// ```
///
/// The payload enters through its hash, a fixed-length commitment, so every field is either
/// fixed-length or length-prefixed and no two different entries share an encoding.
pub fn entry_hash(
    seq: u64,
    kind: &str,
    recorded_at: &str,
    payload_hash: &Hash,
    prev_hash: &Hash,
) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(len32(ENTRY_TAG.len()).to_be_bytes());
    hasher.update(ENTRY_TAG);
    hasher.update(ENCODING_VERSION.to_be_bytes());
    hasher.update(seq.to_be_bytes());
    hasher.update(len32(kind.len()).to_be_bytes());
    hasher.update(kind.as_bytes());
    hasher.update(len32(recorded_at.len()).to_be_bytes());
    hasher.update(recorded_at.as_bytes());
    hasher.update(payload_hash.0);
    hasher.update(prev_hash.0);
    let mut out = [0u8; 32];
    out.copy_from_slice(hasher.finalize().as_slice());
    Hash(out)
}

/// Kinds and times are short strings; a length past u32 cannot come from our writers, and
/// saturating keeps hashing total instead of panicking on hostile input.
fn len32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// Builds consecutive entries: what a storage backend does when it appends.
#[derive(Debug, Clone)]
pub struct Chain {
    next_seq: u64,
    head: Hash,
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    /// An empty ledger.
    pub fn new() -> Self {
        Self {
            next_seq: 1,
            head: Hash::ZERO,
        }
    }

    /// Continues a ledger that already holds `count` entries ending in `head`.
    pub fn resume(count: u64, head: Hash) -> Self {
        Self {
            next_seq: count + 1,
            head,
        }
    }

    /// Entries so far.
    pub fn count(&self) -> u64 {
        self.next_seq - 1
    }

    /// The last entry's hash, or [`Hash::ZERO`] when empty.
    pub fn head(&self) -> Hash {
        self.head
    }

    /// Hashes and links the next entry.
    pub fn next_entry(&mut self, kind: &str, recorded_at: &str, payload: Vec<u8>) -> Entry {
        let seq = self.next_seq;
        let payload_hash = payload_hash(&payload);
        let entry_hash = entry_hash(seq, kind, recorded_at, &payload_hash, &self.head);
        let entry = Entry {
            seq,
            kind: kind.to_owned(),
            recorded_at: recorded_at.to_owned(),
            payload,
            payload_hash,
            prev_hash: self.head,
            entry_hash,
        };
        self.next_seq += 1;
        self.head = entry_hash;
        entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example in docs/ledger-format.md, whose hex was computed independently
    /// (Python's hashlib from the document alone); if this changes, the format changed.
    #[test]
    fn documented_worked_example() {
        let mut chain = Chain::new();
        let first = chain.next_entry(
            "workspace.created",
            "2026-01-01T00:00:00.000000Z",
            br#"{"format_version":1,"workspace_id":"demo"}"#.to_vec(),
        );
        assert_eq!(first.prev_hash, Hash::ZERO);
        assert_eq!(
            first.payload_hash.to_hex(),
            "e2c9612dff340cc98785761cb525bba374a70bc52cc7dcbfe8e56d9e5fabad0c"
        );
        assert_eq!(
            first.entry_hash.to_hex(),
            "409bd3eeb467f887a12f48b8d1303f0beabe4500fc2f1b718d743640c82468b3"
        );
        let second = chain.next_entry("note", "2026-01-01T00:00:01.500000Z", b"{}".to_vec());
        assert_eq!(second.prev_hash, first.entry_hash);
        assert_eq!(
            second.payload_hash.to_hex(),
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert_eq!(
            second.entry_hash.to_hex(),
            "dc4f1073d1e7cd109fe7ebbf1d95668d1251b636d02a699a5976860d0e88282a"
        );
        assert_eq!(chain.count(), 2);
    }

    #[test]
    fn every_field_changes_the_hash() {
        let p = payload_hash(b"{}");
        let base = entry_hash(1, "k", "t", &p, &Hash::ZERO);
        assert_ne!(base, entry_hash(2, "k", "t", &p, &Hash::ZERO));
        assert_ne!(base, entry_hash(1, "K", "t", &p, &Hash::ZERO));
        assert_ne!(base, entry_hash(1, "k", "T", &p, &Hash::ZERO));
        assert_ne!(
            base,
            entry_hash(1, "k", "t", &payload_hash(b"[]"), &Hash::ZERO)
        );
        assert_ne!(base, entry_hash(1, "k", "t", &p, &Hash::of(b"x")));
        // Length prefixes keep field boundaries: moving a byte between kind and time matters.
        assert_ne!(
            entry_hash(1, "ab", "c", &p, &Hash::ZERO),
            entry_hash(1, "a", "bc", &p, &Hash::ZERO)
        );
    }
}
