//! Time-bound overrides of policy, with the governance the checks hold them to.

use serde::{Deserialize, Serialize};

use crate::{ExceptionId, IdentityId, SystemId, Tier, Timestamp};

/// A renewal of an exception, extending or confirming its expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reapproval {
    pub approved_at: Timestamp,
    pub approved_by: IdentityId,
    pub expires_at: Option<Timestamp>,
}

/// One entry of the exceptions register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionRecord {
    pub approver: Option<IdentityId>,
    pub entitlement: Option<String>,
    /// Its absence is a permanent hole, and a finding.
    pub expires_at: Option<Timestamp>,
    pub granted_at: Timestamp,
    pub id: ExceptionId,
    /// Who is accountable for the exception; its absence is itself a finding.
    pub owner: Option<IdentityId>,
    pub reapprovals: Vec<Reapproval>,
    pub reason: Option<String>,
    /// Whose access the exception covers.
    pub subject: Option<IdentityId>,
    pub system: Option<SystemId>,
    pub tier: Tier,
}

impl ExceptionRecord {
    /// The expiry in force: the latest re-approval's, else the original.
    pub fn effective_expiry(&self) -> Option<Timestamp> {
        self.reapprovals
            .iter()
            .max_by_key(|r| r.approved_at)
            .map_or(self.expires_at, |r| r.expires_at)
    }
}
