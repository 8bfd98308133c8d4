//! One use of emergency access as the organisation's register records it: a just-in-time
//! activation or a break-glass sign-in, with the ticket that justified it and its
//! post-activation review (issue #19).

use serde::{Deserialize, Serialize};

use crate::{IdentityId, SystemId, Timestamp};

/// A row of an emergency-access register. Fields are declared alphabetically, so the record
/// serializes straight to canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmergencyUse {
    /// The account used (the break-glass account, or the JIT holder's own account).
    pub account: String,
    /// When the access was switched on or the account signed into.
    pub activated_at: Timestamp,
    /// The JIT entitlement activated; `None` for a break-glass sign-in.
    pub entitlement: Option<String>,
    /// The register's own id for the use.
    pub id: String,
    /// The id the system's log gives the use (a PIM request id, a sign-in id), where the
    /// register records it: it links the row to the log's record of the same use even when
    /// the register's time or account spelling differ. Absent from the payload when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The post-activation review's decision, as written; `None`: not reviewed.
    pub review_decision: Option<String>,
    pub reviewed_at: Option<Timestamp>,
    pub reviewer: Option<IdentityId>,
    pub system: SystemId,
    /// The incident or ticket that justified the use; `None`: none named.
    pub ticket: Option<String>,
    /// The person who used it.
    pub used_by: Option<IdentityId>,
}
