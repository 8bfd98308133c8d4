//! What a system actually holds at a point in time, compared with what should be there.

use serde::{Deserialize, Serialize};

use crate::{IdentityId, SystemId, Timestamp, named_enum};

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

/// One line of a reconciliation snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationRecord {
    pub account: String,
    pub as_of: Timestamp,
    /// The row is a credential (an access key, token, certificate) rather than an
    /// entitlement: it ages and must go with a leaver, but needs no approval (convention 5).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub credential: bool,
    pub entitlement: Option<String>,
    /// The identity the reconciliation tool already correlated the account to, if any.
    pub identity: Option<IdentityId>,
    pub last_used_at: Option<Timestamp>,
    pub status: ReconciliationStatus,
    pub system: SystemId,
}
