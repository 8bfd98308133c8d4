//! Who or what holds access: people and non-human identities, each with an accountable owner.

use serde::{Deserialize, Serialize};

use crate::{IdentityId, Timestamp, named_enum};

/// The kind of identity. Humans are employees and contractors; everything else is a
/// non-human identity (NHI) that must have a human owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    Employee,
    Contractor,
    ServiceAccount,
    AccessKey,
    ApiToken,
    Certificate,
    Workload,
    AiAgent,
}

named_enum!(IdentityKind {
    Employee => "employee",
    Contractor => "contractor",
    ServiceAccount => "service_account",
    AccessKey => "access_key",
    ApiToken => "api_token",
    Certificate => "certificate",
    Workload => "workload",
    AiAgent => "ai_agent",
});

impl IdentityKind {
    /// People, as opposed to non-human identities.
    pub fn is_human(self) -> bool {
        matches!(self, IdentityKind::Employee | IdentityKind::Contractor)
    }

    /// Identities that are themselves a secret and therefore age (keys, tokens, certificates).
    pub fn is_credential(self) -> bool {
        matches!(
            self,
            IdentityKind::AccessKey | IdentityKind::ApiToken | IdentityKind::Certificate
        )
    }
}

/// An identity as known from its authoritative source, with the attributes the checks need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Other names the identity's accounts go by (usernames, ARNs, object ids).
    pub aliases: Vec<String>,
    pub department: Option<String>,
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// Contract end for contractors; planned expiry for NHIs.
    pub ends_at: Option<Timestamp>,
    pub id: IdentityId,
    pub kind: IdentityKind,
    pub manager: Option<IdentityId>,
    /// The accountable human for a non-human identity.
    pub owner: Option<IdentityId>,
    pub role: Option<String>,
}
