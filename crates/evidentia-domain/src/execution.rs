//! Provisioning actions as a system's own log records them: the proof that a change happened.

use serde::{Deserialize, Serialize};

use crate::{Name, SystemId, Timestamp, named_enum};

/// What a system did to an account or credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProvisioningAction {
    CreateAccount,
    Grant,
    Revoke,
    Disable,
    Enable,
    Delete,
    CredentialCreated,
    CredentialRotated,
    CredentialDeactivated,
    CredentialDeleted,
    /// A deactivated credential made usable again (an AWS access key set back to `Active`).
    CredentialReactivated,
}

named_enum!(ProvisioningAction {
    CreateAccount => "create_account",
    Grant => "grant",
    Revoke => "revoke",
    Disable => "disable",
    Enable => "enable",
    Delete => "delete",
    CredentialCreated => "credential_created",
    CredentialRotated => "credential_rotated",
    CredentialDeactivated => "credential_deactivated",
    CredentialDeleted => "credential_deleted",
    CredentialReactivated => "credential_reactivated",
});

impl ProvisioningAction {
    /// Actions that add access (and therefore need an approval behind them).
    pub fn adds_access(self) -> bool {
        matches!(
            self,
            ProvisioningAction::CreateAccount
                | ProvisioningAction::Grant
                | ProvisioningAction::Enable
                | ProvisioningAction::CredentialCreated
                | ProvisioningAction::CredentialReactivated
        )
    }

    /// Actions that remove access (the proof a leaver or retirement needs).
    pub fn removes_access(self) -> bool {
        matches!(
            self,
            ProvisioningAction::Revoke
                | ProvisioningAction::Disable
                | ProvisioningAction::Delete
                | ProvisioningAction::CredentialDeactivated
                | ProvisioningAction::CredentialDeleted
        )
    }
}

/// Whether the system reports the change as done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Succeeded,
    Failed,
    Queued,
}

named_enum!(Outcome {
    Succeeded => "succeeded",
    Failed => "failed",
    Queued => "queued",
});

/// One provisioning action in one system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Execution {
    /// The account acted on, as the system names it (username, e-mail, ARN, object id).
    pub account: Name,
    pub action: ProvisioningAction,
    /// Who performed the change, as the system names them.
    pub actor: Option<Name>,
    pub at: Timestamp,
    /// The group, role, policy, repository or credential concerned.
    pub entitlement: Option<Name>,
    /// The system's error code or message for a failed change (`AccessDenied`).
    pub failure_reason: Option<Name>,
    pub outcome: Outcome,
    /// The ticket or approval the change cites, where the source carries one. (Texts each
    /// row has its own of are boxed: two words, not a `String`'s three, over a million rows.)
    pub request_ref: Option<Box<str>>,
    /// The source's own event id (CloudTrail `eventID`, Okta `uuid`, ...).
    pub source_event_id: Option<Box<str>>,
    /// The source's own event name (`CreateUser`, `user.lifecycle.deactivate`, ...).
    pub source_event_type: Option<Name>,
    pub system: SystemId,
}
