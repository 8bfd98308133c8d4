//! Newtype identifiers, so an approval id can never be passed where an identity id is meant.

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an identifier as it appears in the source, trimmed of surrounding space.
            pub fn new(value: impl Into<String>) -> Self {
                let value: String = value.into();
                let trimmed = value.trim();
                if trimmed.len() == value.len() { Self(value) } else { Self(trimmed.to_owned()) }
            }

            /// The identifier text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
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
}
