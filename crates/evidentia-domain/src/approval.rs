//! Approval decisions from tickets and IGA tools: the governance half of the evidence chain.

use serde::{Deserialize, Serialize};

use crate::{ApprovalId, IdentityId, Name, SystemId, Timestamp, named_enum};

/// The role in which the approver decided; privileged access needs more than a manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApproverRole {
    Manager,
    Security,
    SystemOwner,
    RiskOwner,
    Other,
}

named_enum!(ApproverRole {
    Manager => "manager",
    Security => "security",
    SystemOwner => "system_owner",
    RiskOwner => "risk_owner",
    Other => "other",
});

/// The outcome of an approval request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approved,
    Rejected,
}

named_enum!(Decision {
    Approved => "approved",
    Rejected => "rejected",
});

/// The risk tier of an entitlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Standard,
    Elevated,
    Privileged,
}

named_enum!(Tier {
    Standard => "standard",
    Elevated => "elevated",
    Privileged => "privileged",
});

/// One approval decision about one entitlement (or access profile) on one system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub approver: IdentityId,
    pub approver_role: ApproverRole,
    pub decided_at: Timestamp,
    pub decision: Decision,
    /// The entitlement or access profile requested.
    pub entitlement: Name,
    /// The approval grants an exception to policy.
    pub exception: bool,
    /// End of time-bound access.
    pub expires_at: Option<Timestamp>,
    pub id: ApprovalId,
    pub justification: Option<String>,
    /// The request asked for the access to be removed, not granted: it authorises the
    /// removal and never a grant.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removal: bool,
    pub requester: Option<IdentityId>,
    /// Whose access was decided.
    pub subject: IdentityId,
    pub system: SystemId,
    pub tier: Tier,
}
