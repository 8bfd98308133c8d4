//! What a system actually holds at a point in time, compared with what should be there.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::{IdentityId, Name, SystemId, Timestamp, named_enum};

/// The reconciliation verdict for one account/entitlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReconciliationStatus {
    /// Expected and present: the system agrees.
    ExpectedPresent,
    /// Expected but missing: a grant did not land.
    ExpectedMissing,
    /// Present but not expected: drift, or access that should be gone.
    UnexpectedPresent,
    /// Listed, but disabled, suspended or locked: the account object exists, it grants no
    /// access (inventories that list disabled users say so in a status column).
    Disabled,
}

named_enum!(ReconciliationStatus {
    ExpectedPresent => "expected_present",
    ExpectedMissing => "expected_missing",
    UnexpectedPresent => "unexpected_present",
    Disabled => "disabled",
});

impl ReconciliationStatus {
    /// The system holds the access at the snapshot time.
    pub fn is_present(self) -> bool {
        !matches!(
            self,
            ReconciliationStatus::ExpectedMissing | ReconciliationStatus::Disabled
        )
    }
}

/// One line of a reconciliation snapshot. Fields are declared in alphabetical order, as in
/// every record: payloads then serialize straight to canonical JSON (sorted keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationRecord {
    pub account: Name,
    pub as_of: Timestamp,
    /// What the listing this row comes from covers; `None` is a full reconciliation of the
    /// system (every account, entitlement and credential it holds). Absence from a listing is
    /// evidence only of what it covers: a group's member list says nothing of other groups.
    /// Shared by the rows of one listing: a million rows carry one copy (see
    /// [`crate::sharing`]), not 32 bytes each.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "shared_coverage"
    )]
    pub coverage: Option<Arc<Coverage>>,
    /// When the credential was created, where the listing says (an API key report's
    /// `Created`); absent from the payload otherwise, so rows without it keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// The row is a credential (an access key, token, certificate) rather than an
    /// entitlement: it ages and must go with a leaver, but needs no approval (convention 5).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub credential: bool,
    pub entitlement: Option<Name>,
    /// The identity the reconciliation tool already correlated the account to, if any.
    pub identity: Option<IdentityId>,
    pub last_used_at: Option<Timestamp>,
    /// The listing says the credential was never used (a `Never` in its last-used column):
    /// last-used information, unlike an empty cell. Idle since `created_at`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub never_used: bool,
    /// When the listing says the credential was revoked (a key listed revoked with its time):
    /// the revocation's own time, where the listing alone would show only that it is gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
    pub status: ReconciliationStatus,
    pub system: SystemId,
}

/// What a vendor inventory lists, so that what it does not list is read as absent only where
/// the listing would have shown it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Coverage {
    /// It lists every account of the system (a user listing).
    pub accounts: bool,
    /// It lists every credential (key, token, certificate) each listed account holds.
    pub credentials: bool,
    /// It lists every entitlement (group, role, policy) each listed account holds.
    pub entitlements: bool,
    /// It lists every holder of this one entitlement (a group's or organization's member list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holders_of: Option<String>,
}

impl Coverage {
    /// A full reconciliation: accounts, entitlements and credentials.
    pub fn full() -> Coverage {
        Coverage {
            accounts: true,
            entitlements: true,
            credentials: true,
            holders_of: None,
        }
    }

    /// A listing of accounts only (their existence and state), nothing they hold.
    pub fn accounts() -> Coverage {
        Coverage {
            accounts: true,
            entitlements: false,
            credentials: false,
            holders_of: None,
        }
    }

    /// A listing of the holders of one entitlement, nothing else.
    pub fn holders_of(entitlement: impl Into<String>) -> Coverage {
        Coverage {
            accounts: false,
            entitlements: false,
            credentials: false,
            holders_of: Some(entitlement.into()),
        }
    }

    /// Whether absence from this listing shows that `item` is not held: the account itself
    /// (`None`), a credential, or an entitlement.
    pub fn covers(&self, item: Option<&str>, credential: bool) -> bool {
        match item {
            None => self.accounts,
            Some(_) if credential => self.credentials,
            Some(item) => {
                self.entitlements
                    || self
                        .holders_of
                        .as_deref()
                        .is_some_and(|h| h.trim().eq_ignore_ascii_case(item.trim()))
            }
        }
    }
}

/// A row's coverage read as the listing's one shared copy (and written as the plain object it
/// always was: payloads keep their bytes).
mod shared_coverage {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Coverage;

    pub fn serialize<S: Serializer>(
        coverage: &Option<Arc<Coverage>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        coverage.as_deref().serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Arc<Coverage>>, D::Error> {
        Ok(Option::<Coverage>::deserialize(deserializer)?.map(crate::name::shared_coverage))
    }
}
