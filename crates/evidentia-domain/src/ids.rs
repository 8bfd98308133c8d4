//! Newtype identifiers, so an approval id can never be passed where an identity id is meant.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use serde::de::{Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

// Everything here is `#[inline]`: the engine compares and hashes ids millions of times from
// another crate, where a call per comparison cost more than the comparison.

/// Longest identifier kept inline; longer ones (e-mail addresses and ARNs used as ids) go to
/// the heap.
const INLINE: usize = 14;

/// The text of an identifier. Ids are short (`E1214`, `okta`, `RITM0012345`) and there are
/// millions of them in an analysis (every approval names five), so they live inline instead
/// of in a heap allocation each: 16 bytes, two thirds of a `String`, and no allocation to
/// build or clone. A longer id's text is boxed twice, so that its variant is one pointer and
/// the whole fits in 16 bytes too (a `Box<str>` is two words and would make it 24).
/// Which variant holds a text depends only on its length, so equal texts are equal values.
#[derive(Clone)]
enum IdText {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<Box<str>>),
}

impl IdText {
    #[inline]
    fn copied(text: &str) -> IdText {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                IdText::Inline { len, bytes }
            }
            _ => IdText::Heap(Box::new(text.into())),
        }
    }

    #[inline]
    fn from_string(text: String) -> IdText {
        if text.len() <= INLINE {
            IdText::copied(&text)
        } else {
            IdText::Heap(Box::new(text.into_boxed_str()))
        }
    }

    #[inline]
    fn as_bytes(&self) -> &[u8] {
        match self {
            IdText::Inline { len, bytes } => &bytes[..usize::from(*len)],
            IdText::Heap(text) => text.as_bytes(),
        }
    }

    #[inline]
    fn as_str(&self) -> &str {
        match self {
            // Inline bytes are always a whole `&str` copied in `copied`, so this never
            // falls back; the check is a few instructions on ASCII ids.
            IdText::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            IdText::Heap(text) => text,
        }
    }
}

// Equality, order and hashing follow the text (byte order is `str` order), never the variant.
impl PartialEq for IdText {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for IdText {}

impl PartialOrd for IdText {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for IdText {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for IdText {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

/// Reads an id exactly as a `String` would (no trimming: the ledger's bytes are the record),
/// copying short ids inline straight from the input buffer.
struct IdTextVisitor;

impl Visitor<'_> for IdTextVisitor {
    type Value = IdText;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<IdText, E> {
        Ok(IdText::copied(v))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<IdText, E> {
        Ok(IdText::from_string(v))
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<IdText, E> {
        std::str::from_utf8(v)
            .map(IdText::copied)
            .map_err(|_| E::invalid_value(serde::de::Unexpected::Bytes(v), &self))
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(IdText);

        impl $name {
            /// Wraps an identifier as it appears in the source, trimmed of surrounding space.
            pub fn new(value: impl Into<String>) -> Self {
                let value: String = value.into();
                let trimmed = value.trim();
                if trimmed.len() == value.len() {
                    Self(IdText::from_string(value))
                } else {
                    Self(IdText::copied(trimmed))
                }
            }

            /// The identifier text.
            #[inline]
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // As `#[derive(Debug)]` on the former `String` newtype printed it.
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.as_str()).finish()
            }
        }

        // A plain JSON string, as `#[serde(transparent)]` over a `String` wrote it: ledger
        // payloads stay byte-identical.
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_string(IdTextVisitor).map(Self)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }
    };
}

string_id!(
    /// A person or non-human identity as the authoritative source names it (employee number,
    /// contractor id, service-catalog id).
    IdentityId
);
string_id!(
    /// A system in scope (`aws`, `okta`, `finance-app`), as named in the policy.
    SystemId
);
string_id!(
    /// An approval or ticket's request id.
    ApprovalId
);
string_id!(
    /// A lifecycle event's id in its authoritative source.
    EventId
);
string_id!(
    /// An access-review (certification) campaign's id in the review tool.
    CampaignId
);
string_id!(
    /// An exception's id in the exceptions register.
    ExceptionId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_trimmed_and_serialize_as_plain_strings() {
        let id = IdentityId::new("  E1001 ");
        assert_eq!(id.as_str(), "E1001");
        assert_eq!(serde_json::to_string(&id).unwrap_or_default(), "\"E1001\"");
    }

    /// Inline and heap ids behave as the `String` they replaced: same text, order, equality,
    /// JSON (read back untrimmed, as a `String` field was) and `Debug`.
    #[test]
    fn short_and_long_ids_behave_as_strings() {
        let texts = [
            "",
            "E1",
            "okta",
            "exactly-twenty-two-ch.",
            "twenty-three-characters",
            "exactly-14-chr",
            "fifteen-chars-x",
            "arn:aws:iam::123456789012:user/alice",
            "é-ünïcode-ids-are-fine",
            "日本語のシステム",
        ];
        let ids: Vec<SystemId> = texts.iter().map(|t| SystemId::new(*t)).collect();
        for (id, text) in ids.iter().zip(texts) {
            assert_eq!(id.as_str(), text);
            assert_eq!(id.to_string(), text);
            assert_eq!(format!("{id:?}"), format!("SystemId({text:?})"));
            let json = serde_json::to_string(id).expect("serializes");
            assert_eq!(json, serde_json::to_string(text).expect("serializes"));
            let back: SystemId = serde_json::from_str(&json).expect("parses");
            assert_eq!(&back, id);
            let owned: SystemId = serde_json::from_value(serde_json::Value::String(text.into()))
                .expect("parses from an owned string");
            assert_eq!(&owned, id);
        }
        for a in &ids {
            for b in &ids {
                assert_eq!(a.cmp(b), a.as_str().cmp(b.as_str()), "{a} vs {b}");
                assert_eq!(a == b, a.as_str() == b.as_str());
            }
        }
        let padded: IdentityId = serde_json::from_str("\" E1 \"").expect("parses");
        assert_eq!(
            padded.as_str(),
            " E1 ",
            "the ledger's bytes are read as they are"
        );
        assert_eq!(std::mem::size_of::<Option<IdentityId>>(), 16);
    }
}
