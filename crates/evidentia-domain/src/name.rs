//! One shared copy of what a million rows repeat: names (account, key id) and a listing's coverage.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::de::{Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::Coverage;

/// A name as the source wrote it: an account, entitlement, credential, actor or event type.
///
/// An account's monthly listing rows, its executions and its sign-in summaries all name it, so
/// an analysis holds the same few hundred thousand texts millions of times. A `Name` is a
/// reference-counted `str` (16 bytes, clones without allocating), and while a [`NameTable`]
/// is [`sharing`] on the thread, equal names read or built there share one allocation. It
/// behaves as the `String` it replaced: same text, order, equality, hash, JSON and `Debug`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Name(Arc<str>);

impl Name {
    /// The name's text.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether both are the one shared copy (not merely equal texts): what [`sharing`] makes
    /// of equal names read while it runs.
    pub fn is_shared_with(&self, other: &Name) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The name of `text`: the table's copy while one is [`sharing`] on this thread.
    pub fn new(text: &str) -> Name {
        TABLE.with(|table| match table.borrow_mut().as_mut() {
            Some(table) => table.intern(text),
            None => Name(Arc::from(text)),
        })
    }
}

/// The names built or read on one thread while it is [`sharing`]: each distinct text once,
/// and each distinct listing coverage once (every row of a listing states the same).
#[derive(Debug, Default)]
pub struct NameTable {
    names: HashSet<Arc<str>>,
    coverages: HashSet<Arc<Coverage>>,
}

impl NameTable {
    fn intern(&mut self, text: &str) -> Name {
        if let Some(name) = self.names.get(text) {
            return Name(Arc::clone(name));
        }
        let name: Arc<str> = Arc::from(text);
        self.names.insert(Arc::clone(&name));
        Name(name)
    }

    fn coverage(&mut self, coverage: Coverage) -> Arc<Coverage> {
        if let Some(shared) = self.coverages.get(&coverage) {
            return Arc::clone(shared);
        }
        let shared = Arc::new(coverage);
        self.coverages.insert(Arc::clone(&shared));
        shared
    }

    /// How many distinct names the table holds.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the table holds no name.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A listing row's coverage: the table's copy while one is [`sharing`] on this thread.
pub(crate) fn shared_coverage(coverage: Coverage) -> Arc<Coverage> {
    TABLE.with(|table| match table.borrow_mut().as_mut() {
        Some(table) => table.coverage(coverage),
        None => Arc::new(coverage),
    })
}

thread_local! {
    static TABLE: RefCell<Option<NameTable>> = const { RefCell::new(None) };
}

/// Runs `build` with `table` sharing the names it builds or deserializes on this thread (a
/// loader reading a million rows calls it per entry, keeping one table across entries). The
/// table keeps only what it interned; dropping it leaves the names with their records.
pub fn sharing<R>(table: &mut NameTable, build: impl FnOnce() -> R) -> R {
    /// Puts the table back even if `build` unwinds, so no thread keeps sharing by accident.
    struct Restore<'a>(&'a mut NameTable);
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            if let Some(table) = TABLE.with(|t| t.borrow_mut().take()) {
                *self.0 = table;
            }
        }
    }
    let taken = std::mem::take(table);
    let outer = TABLE.with(|t| t.borrow_mut().replace(taken));
    let restore = Restore(table);
    let out = build();
    drop(restore);
    if let Some(outer) = outer {
        TABLE.with(|t| *t.borrow_mut() = Some(outer));
    }
    out
}

impl Deref for Name {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name::new(&text)
    }
}

impl From<&String> for Name {
    fn from(text: &String) -> Name {
        Name::new(text)
    }
}

impl From<Name> for String {
    fn from(name: Name) -> String {
        name.as_str().to_owned()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

// As the `String` it replaced printed it.
impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

// A plain JSON string: ledger payloads stay byte-identical.
impl Serialize for Name {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

struct NameVisitor;

impl Visitor<'_> for NameVisitor {
    type Value = Name;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Name, E> {
        Ok(Name::new(v))
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Name, E> {
        std::str::from_utf8(v)
            .map(Name::new)
            .map_err(|_| E::invalid_value(serde::de::Unexpected::Bytes(v), &self))
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Name, D::Error> {
        deserializer.deserialize_str(NameVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_behave_as_strings() {
        let texts = ["", "alice@example.com", "AKIA000000000000A", "日本語"];
        for text in texts {
            let name = Name::from(text);
            assert_eq!(name.as_str(), text);
            assert_eq!(name.to_string(), text);
            assert_eq!(format!("{name:?}"), format!("{text:?}"));
            assert_eq!(name, text);
            let json = serde_json::to_string(&name).expect("serializes");
            assert_eq!(json, serde_json::to_string(text).expect("serializes"));
            let back: Name = serde_json::from_str(&json).expect("parses");
            assert_eq!(back, name);
            let owned: Name = serde_json::from_value(serde_json::Value::String(text.into()))
                .expect("parses from an owned string");
            assert_eq!(owned, name);
        }
        let mut sorted: Vec<Name> = texts.iter().map(|t| Name::from(*t)).collect();
        sorted.sort();
        let mut expected = texts.to_vec();
        expected.sort();
        assert!(sorted.iter().map(Name::as_str).eq(expected));
        assert_eq!(
            std::mem::size_of::<Option<Name>>(),
            2 * std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn names_built_while_sharing_share_one_allocation() {
        let apart = (Name::new("alice"), Name::new("alice"));
        assert!(!Arc::ptr_eq(&apart.0.0, &apart.1.0), "no table, no sharing");
        let mut table = NameTable::default();
        let first: Name = sharing(&mut table, || {
            serde_json::from_str("\"alice\"").expect("parses")
        });
        // A later call with the same table shares with the earlier one (a loader's entries).
        let (second, other) = sharing(&mut table, || (Name::from("alice"), Name::new("bob")));
        assert!(Arc::ptr_eq(&first.0, &second.0));
        assert_eq!(other, "bob");
        assert_eq!(table.len(), 2);
        // Outside the call the thread shares nothing.
        assert!(!Arc::ptr_eq(&Name::new("alice").0, &first.0));
        drop(table);
        assert_eq!(first, "alice", "the names outlive their table");
    }

    #[test]
    fn the_rows_of_a_listing_read_while_sharing_share_its_coverage() {
        let row = r#"{"account":"a","as_of":"2025-01-01T00:00:00Z","coverage":{"accounts":true,"credentials":false,"entitlements":false},"entitlement":null,"identity":null,"last_used_at":null,"status":"expected_present","system":"okta"}"#;
        let mut table = NameTable::default();
        let (first, second): (crate::ReconciliationRecord, crate::ReconciliationRecord) =
            sharing(&mut table, || {
                let read = || serde_json::from_str(row).expect("parses");
                (read(), read())
            });
        let (Some(a), Some(b)) = (&first.coverage, &second.coverage) else {
            panic!("coverage read");
        };
        assert!(Arc::ptr_eq(a, b));
        assert_eq!(**a, Coverage::accounts());
        assert_eq!(serde_json::to_string(&first).expect("writes"), row);
        let apart: crate::ReconciliationRecord = serde_json::from_str(row).expect("parses");
        assert!(!Arc::ptr_eq(
            a,
            apart.coverage.as_ref().expect("coverage read")
        ));
    }

    #[test]
    fn a_table_survives_a_panic_in_its_call() {
        let mut table = NameTable::default();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            sharing(&mut table, || {
                let _ = Name::new("kept");
                panic!("a bug in the builder");
            })
        }));
        assert!(result.is_err());
        assert_eq!(table.len(), 1, "the table came back with what it interned");
        let fresh = Name::new("kept");
        let shared = sharing(&mut table, || Name::new("kept"));
        assert!(!Arc::ptr_eq(&fresh.0, &shared.0));
    }
}
