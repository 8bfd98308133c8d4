//! Joiner, mover and leaver events from the authoritative source, for people and NHIs.

use serde::{Deserialize, Serialize};

use crate::{EventId, IdentityId, IdentityKind, Timestamp, named_enum};

/// What happened to an identity in its authoritative source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleEventType {
    /// Hire or contract start: birthright access must be granted, with approval.
    Joiner,
    /// Transfer or role change: new access granted, old access removed within the window.
    Mover,
    /// Termination or contract end: all access revoked within each system's SLA.
    Leaver,
    /// A non-human identity was created in the service catalog.
    NhiCreated,
    /// A non-human identity's accountable owner changed.
    NhiOwnerChanged,
    /// A non-human identity was retired: its credentials and grants must go.
    NhiRetired,
}

named_enum!(LifecycleEventType {
    Joiner => "joiner",
    Mover => "mover",
    Leaver => "leaver",
    NhiCreated => "nhi_created",
    NhiOwnerChanged => "nhi_owner_changed",
    NhiRetired => "nhi_retired",
});

impl LifecycleEventType {
    /// Events after which access must be removed rather than granted.
    pub fn is_departure(self) -> bool {
        matches!(
            self,
            LifecycleEventType::Leaver | LifecycleEventType::NhiRetired
        )
    }
}

/// Attributes as they stand after the event (and, for movers, before it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleAttributes {
    /// Other names the identity's accounts go by (a username, an NHI's account or credential
    /// id), for correlation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The id of the NHI's current credential as its catalog writes it (a key's fingerprint,
    /// a secret's key id), so that findings and not-assessed items can name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
    /// For a non-human identity, when its current credential (secret, key, certificate) was
    /// issued or last rotated, as the catalog records it: the start of its age.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_issued_at: Option<Timestamp>,
    pub department: Option<String>,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub employment_class: Option<String>,
    /// Contract end or planned retirement.
    pub ends_at: Option<Timestamp>,
    /// For a non-human identity, the access its catalog entry authorises, per identity:
    /// `system:entitlement`, or a bare entitlement on the system it lives in (`location`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entitlements: Vec<String>,
    pub location: Option<String>,
    pub manager: Option<IdentityId>,
    /// The accountable owner of a non-human identity.
    pub owner: Option<IdentityId>,
    pub previous_role: Option<String>,
    pub role: Option<String>,
}

/// One lifecycle event from the authoritative source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleEvent {
    pub attributes: LifecycleAttributes,
    pub effective_at: Timestamp,
    pub event_type: LifecycleEventType,
    pub id: EventId,
    pub identity: IdentityId,
    pub identity_kind: IdentityKind,
    /// Free-text reason as the source gives it (`Resignation`, `Contract end`, ...).
    pub reason: Option<String>,
}
