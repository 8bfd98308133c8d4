//! The one sum type of everything an import can produce, as the ledger stores it.

use serde::{Deserialize, Serialize};

use crate::{
    ActivitySummary, Approval, EmergencyUse, ExceptionRecord, Execution, Identity, LifecycleEvent,
    ReconciliationRecord, ReviewCampaign, ReviewDecision, named_enum,
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
    Activity(ActivitySummary),
    ReviewCampaign(ReviewCampaign),
    ReviewDecision(ReviewDecision),
    EmergencyUse(EmergencyUse),
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
    Activity,
    ReviewCampaign,
    ReviewDecision,
    EmergencyUse,
}

named_enum!(RecordKind {
    Identity => "identity",
    LifecycleEvent => "lifecycle_event",
    Approval => "approval",
    Execution => "execution",
    Reconciliation => "reconciliation",
    Exception => "exception",
    Activity => "activity",
    ReviewCampaign => "review_campaign",
    ReviewDecision => "review_decision",
    EmergencyUse => "emergency_use",
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
            Record::Activity(_) => RecordKind::Activity,
            Record::ReviewCampaign(_) => RecordKind::ReviewCampaign,
            Record::ReviewDecision(_) => RecordKind::ReviewDecision,
            Record::EmergencyUse(_) => RecordKind::EmergencyUse,
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

    /// Serializing any record directly must give the same bytes as sorting its keys: the
    /// import path relies on it to write canonical payloads without building a JSON tree.
    #[test]
    fn direct_serialization_is_canonical() {
        use crate::*;
        let at = chrono::Utc
            .with_ymd_and_hms(2025, 6, 1, 9, 30, 0)
            .single()
            .expect("valid time");
        let id = IdentityId::new("E1");
        fn sorted(value: &impl serde::Serialize) -> String {
            let tree = serde_json::to_value(value).expect("to tree");
            serde_json::to_string(&tree).expect("to text")
        }
        fn check(value: &impl serde::Serialize) {
            let direct = serde_json::to_string(value).expect("serializes");
            assert_eq!(
                direct,
                sorted(value),
                "fields must be declared in alphabetical order"
            );
        }
        check(&Identity {
            id: id.clone(),
            kind: IdentityKind::ServiceAccount,
            display_name: Some("svc".into()),
            email: None,
            owner: Some(id.clone()),
            manager: None,
            department: Some("IT".into()),
            role: None,
            ends_at: Some(at),
            aliases: vec!["svc-a".into()],
        });
        check(&LifecycleEvent {
            id: EventId::new("ev"),
            identity: id.clone(),
            identity_kind: IdentityKind::Employee,
            event_type: LifecycleEventType::Mover,
            effective_at: at,
            attributes: LifecycleAttributes {
                role: Some("r".into()),
                previous_role: Some("p".into()),
                manager: Some(id.clone()),
                ends_at: Some(at),
                ..LifecycleAttributes::default()
            },
            reason: Some("transfer".into()),
        });
        check(&Approval {
            removal: true,
            id: ApprovalId::new("RITM1"),
            subject: id.clone(),
            entitlement: "Admin".into(),
            system: SystemId::new("aws"),
            requester: Some(id.clone()),
            approver: id.clone(),
            approver_role: ApproverRole::Security,
            decision: Decision::Approved,
            decided_at: at,
            tier: Tier::Privileged,
            justification: Some("on call".into()),
            expires_at: Some(at),
            exception: true,
        });
        check(&Execution {
            system: SystemId::new("aws"),
            account: "alice".into(),
            action: ProvisioningAction::Revoke,
            entitlement: Some("Admins".into()),
            actor: Some("root".into()),
            at,
            outcome: Outcome::Failed,
            failure_reason: Some("AccessDenied".into()),
            request_ref: Some("RITM1".into()),
            source_event_id: Some("e".into()),
            source_event_type: Some("RemoveUserFromGroup".into()),
        });
        check(&ReconciliationRecord {
            created_at: None,
            never_used: false,
            revoked_at: None,
            credential: true,
            system: SystemId::new("okta"),
            as_of: at,
            account: "a@example.com".into(),
            identity: Some(id.clone()),
            entitlement: Some("Everyone".into()),
            status: ReconciliationStatus::UnexpectedPresent,
            last_used_at: Some(at),
            coverage: None,
        });
        check(&ExceptionRecord {
            id: ExceptionId::new("EX1"),
            subject: Some(id.clone()),
            system: Some(SystemId::new("aws")),
            entitlement: Some("Admin".into()),
            tier: Tier::Privileged,
            owner: Some(id.clone()),
            approver: Some(id.clone()),
            granted_at: at,
            expires_at: Some(at),
            reason: Some("migration".into()),
            reapprovals: vec![Reapproval {
                approved_by: id.clone(),
                approved_at: at,
                expires_at: Some(at),
            }],
        });
        check(&ReviewCampaign {
            closed_at: Some(at),
            due_at: at,
            entitlements: vec!["Admin*".into()],
            id: CampaignId::new("Q1"),
            name: Some("Q1 2025 privileged access".into()),
            started_at: at,
            systems: vec![SystemId::new("aws")],
        });
        check(&ReviewDecision {
            account: "alice".into(),
            assigned_to: Some(id.clone()),
            campaign: CampaignId::new("Q1"),
            comment: Some("left the team".into()),
            decided_at: Some(at),
            decision: ReviewVerdict::Revoke,
            delegated_to: Some(id.clone()),
            entitlement: Some("Admins".into()),
            item: Some("item-1".into()),
            reviewer: Some(id.clone()),
            reviewer_role: Some(ApproverRole::Manager),
            subject: Some(id),
            system: SystemId::new("aws"),
        });
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
