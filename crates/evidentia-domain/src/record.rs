//! The one sum type of everything an import can produce, as the ledger stores it.

use serde::{Deserialize, Serialize};

use crate::{
    Approval, ExceptionRecord, Execution, Identity, LifecycleEvent, ReconciliationRecord,
    named_enum,
};

/// A normalized record: what importers emit and what `record.*` ledger entries carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Identity(Identity),
    LifecycleEvent(LifecycleEvent),
    Approval(Approval),
    Execution(Execution),
    Reconciliation(ReconciliationRecord),
    Exception(ExceptionRecord),
}

/// The kind of a [`Record`], used for counting and for ledger entry kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Identity,
    LifecycleEvent,
    Approval,
    Execution,
    Reconciliation,
    Exception,
}

named_enum!(RecordKind {
    Identity => "identity",
    LifecycleEvent => "lifecycle_event",
    Approval => "approval",
    Execution => "execution",
    Reconciliation => "reconciliation",
    Exception => "exception",
});

impl Record {
    /// Which kind of record this is.
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Identity(_) => RecordKind::Identity,
            Record::LifecycleEvent(_) => RecordKind::LifecycleEvent,
            Record::Approval(_) => RecordKind::Approval,
            Record::Execution(_) => RecordKind::Execution,
            Record::Reconciliation(_) => RecordKind::Reconciliation,
            Record::Exception(_) => RecordKind::Exception,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Outcome, ProvisioningAction, SystemId};
    use chrono::TimeZone;

    #[test]
    fn record_round_trips_through_tagged_json() {
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
            .single()
            .expect("valid time");
        let record = Record::Execution(Execution {
            system: SystemId::new("aws"),
            account: "alice".into(),
            action: ProvisioningAction::Grant,
            entitlement: Some("Admins".into()),
            actor: None,
            at,
            outcome: Outcome::Succeeded,
            failure_reason: None,
            request_ref: None,
            source_event_id: Some("e1".into()),
            source_event_type: Some("AddUserToGroup".into()),
        });
        let json = serde_json::to_string(&record).expect("serializes");
        assert!(json.starts_with("{\"type\":\"execution\""), "{json}");
        let back: Record = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, record);
        assert_eq!(back.kind(), RecordKind::Execution);
    }

    #[test]
    fn enum_names_parse_loosely_and_print_canonically() {
        assert_eq!(
            ProvisioningAction::parse("Credential-Created"),
            Some(ProvisioningAction::CredentialCreated)
        );
        assert_eq!(ProvisioningAction::parse("nonsense"), None);
        for action in ProvisioningAction::ALL {
            assert_eq!(ProvisioningAction::parse(action.as_str()), Some(*action));
        }
    }
}
