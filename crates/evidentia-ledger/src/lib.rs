//! The tamper-evident core: how a ledger entry is encoded and hashed, and how a chain is checked.
//!
//! This crate stores nothing and knows no SQL. It defines the bytes that are hashed
//! (see `docs/ledger-format.md`), and a [`Verifier`] that is fed entries in sequence order
//! and names the first one that does not hold. Storage backends feed it; so can anyone
//! holding an exported `ledger.jsonl`.
//!
//! ```
//! use evidentia_ledger::{Chain, Verifier};
//! let mut chain = Chain::new();
//! let first = chain.next_entry("note", "2026-01-01T00:00:00.000000Z", b"{}".to_vec());
//! let second = chain.next_entry("note", "2026-01-01T00:00:01.000000Z", b"{\"n\":2}".to_vec());
//! let mut verifier = Verifier::new();
//! verifier.push(&first).unwrap();
//! verifier.push(&second).unwrap();
//! assert_eq!(verifier.count(), 2);
//! assert_eq!(verifier.head(), second.entry_hash);
//! ```

mod canonical;
mod entry;
mod hash;
pub mod merkle;
pub mod note;
mod verify;

pub use canonical::{canonical_json, format_recorded_at, parse_recorded_at};
pub use entry::{Chain, ENCODING_VERSION, ENTRY_TAG, Entry, entry_hash, payload_hash};
pub use hash::{Hash, HashParseError};
pub use merkle::{MerkleTree, ProofError, RootBuilder};
pub use note::{NoteError, SigningKey, TreeHead, VerifierKey};
pub use verify::{EntryRef, Failure, FailureReason, Verifier};
