//! The CloudTrail samples: counts per eventName and action, and spot-checked fields.

use std::collections::BTreeMap;

use evidentia_domain::{
    ActivityChannel, ActivitySummary, Execution, Outcome, ProvisioningAction as A, Record,
};
use evidentia_import::{Format, ImportContext, ImportSummary, Location, Origin, import};

use crate::sample;

type Imported = (
    ImportSummary,
    Vec<(Execution, Location)>,
    Vec<ActivitySummary>,
);

fn run(rel: &str) -> Option<Imported> {
    let bytes = sample(rel)?;
    let ctx = ImportContext {
        size: Some(bytes.len() as u64),
        ..ImportContext::new(rel)
    };
    let mut sink: Vec<(Record, Origin)> = Vec::new();
    let summary = import(
        Format::Cloudtrail,
        &mut bytes.as_slice(),
        &ctx,
        &mut sink,
        &mut |_| {},
    )
    .expect("sample imports");
    assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    let (executions, activity) = crate::split(sink);
    Some((summary, executions, activity))
}

fn by_type_and_action(executions: &[(Execution, Location)]) -> BTreeMap<(String, A), u64> {
    let mut counts = BTreeMap::new();
    for (e, _) in executions {
        *counts.entry((crate::event_type(e), e.action)).or_default() += 1;
    }
    counts
}

fn find<'a>(executions: &'a [(Execution, Location)], event_id: &str) -> &'a (Execution, Location) {
    executions
        .iter()
        .find(|(e, _)| e.source_event_id.as_deref() == Some(event_id))
        .expect("event present")
}

#[test]
fn stratus_red_team_iam_detonations() {
    let Some((summary, executions, activity)) =
        run("cloudtrail/stratus-red-team_iam-detonations.json")
    else {
        return;
    };
    assert_eq!(summary.rows, 11);
    let expected: BTreeMap<(String, A), u64> = [
        ("CreateAccessKey", A::CredentialCreated, 2),
        ("CreateUser", A::CreateAccount, 1),
        ("AttachUserPolicy", A::Grant, 1),
        ("CreateLoginProfile", A::Grant, 1),
        ("DeleteLoginProfile", A::Revoke, 1),
        ("UpdateLoginProfile", A::CredentialRotated, 1),
        ("CreateRole", A::CreateAccount, 1),
        ("AttachRolePolicy", A::Grant, 1),
        ("UpdateAssumeRolePolicy", A::Grant, 1),
    ]
    .into_iter()
    .map(|(t, a, n)| ((t.to_owned(), a), n))
    .collect();
    assert_eq!(by_type_and_action(&executions), expected);
    // Both policies attached are AdministratorAccess (allow): no deny or quarantine policy in
    // this capture, so no `deny:` entitlement, and the attaches stay grants of the ARN.
    let policies: Vec<_> = executions
        .iter()
        .filter(|(e, _)| {
            e.source_event_type
                .as_deref()
                .is_some_and(|t| t.ends_with("Policy"))
        })
        .filter_map(|(e, _)| e.entitlement.as_deref())
        .collect();
    assert_eq!(
        policies,
        [
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "trust-policy"
        ]
    );
    assert!(
        executions.iter().all(|(e, _)| !e
            .entitlement
            .as_deref()
            .is_some_and(|n| n.starts_with("deny:"))),
        "no deny policy in this capture"
    );
    // The one read, an IAM user's GetCallerIdentity, is an API call: activity, not skipped.
    assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
    assert_eq!(summary.total_records(), 11);
    assert_eq!(activity.len(), 1);
    let whoami = &activity[0];
    assert_eq!(whoami.system.as_str(), "aws");
    assert_eq!(
        whoami.account, "christophe",
        "named by userName, as executions are"
    );
    assert_eq!(whoami.channel, ActivityChannel::ApiCall);
    assert!(!whoami.interactive);
    assert_eq!(whoami.outcome, Outcome::Succeeded);
    assert_eq!(whoami.count, 1);
    assert_eq!(whoami.event_types, ["GetCallerIdentity"]);
    assert_eq!(whoami.first, whoami.last);
    assert_eq!(whoami.first.location, "/3");
    assert_eq!(whoami.first.at.to_rfc3339(), "2024-08-01T13:42:21+00:00");
    assert_eq!(
        whoami.first.source_event_id.as_deref(),
        Some("e544d47e-6d75-45cf-a8a9-7e90d5f7d38d")
    );
    assert_eq!(
        whoami.clients,
        ["stratus-red-team_99dfa7e5-00d3-40b7-8cfd-b2573ada0eac"]
    );

    let (attach, at) = find(&executions, "083dc4ad-e264-46bc-a407-d0dd31b58bdc");
    assert_eq!(*at, Location::Pointer("/0".into()));
    assert_eq!(attach.system.as_str(), "aws");
    assert_eq!(attach.account, "malicious-iam-user");
    assert_eq!(
        attach.entitlement.as_deref(),
        Some("arn:aws:iam::aws:policy/AdministratorAccess")
    );
    assert_eq!(
        attach.actor.as_deref(),
        Some("arn:aws:iam::229654561268:user/christophe")
    );
    assert_eq!(attach.at.to_rfc3339(), "2024-08-01T13:33:28+00:00");
    assert_eq!(attach.outcome, Outcome::Succeeded);

    let (key, _) = find(&executions, "94faedcc-0fa4-46e6-9322-022e8e934f04");
    assert_eq!(key.entitlement.as_deref(), Some("AKIAXAFZN8JEPF6L682H"));

    let (delete_profile, _) = find(&executions, "64fb98c9-cb40-4f9a-b800-6c15e82e9be6");
    assert_eq!(delete_profile.outcome, Outcome::Failed);
    assert_eq!(
        delete_profile.account,
        "stratus-red-team-login-profile-user"
    );
    assert!(
        delete_profile
            .failure_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("EntityTemporarilyUnmodifiableException")),
        "{:?}",
        delete_profile.failure_reason
    );

    let (trust, _) = find(&executions, "62e290e2-ee95-4a7c-a9f8-db4ef462b12d");
    assert_eq!(
        (trust.account.as_str(), trust.entitlement.as_deref()),
        ("stratus-red-team-backdoor-r-role", Some("trust-policy"))
    );
}

#[test]
fn permiso_console_session_access_key_lifecycle() {
    let Some((summary, executions, activity)) =
        run("cloudtrail/permiso-ccc_console-session_access-key-lifecycle.json")
    else {
        return;
    };
    // No record names its caller (the schema is reduced), so no read is anyone's activity.
    assert!(activity.is_empty(), "{activity:?}");
    assert_eq!(summary.rows, 98);
    let expected: BTreeMap<(String, A), u64> = [
        ("CreateAccessKey", A::CredentialCreated, 1),
        ("UpdateAccessKey", A::CredentialDeactivated, 2),
        ("UpdateAccessKey", A::CredentialReactivated, 1),
        ("DeleteAccessKey", A::CredentialDeleted, 1),
    ]
    .into_iter()
    .map(|(t, a, n)| ((t.to_owned(), a), n))
    .collect();
    assert_eq!(by_type_and_action(&executions), expected);
    let skipped: BTreeMap<String, u64> = [
        ("GetAccessKeyLastUsed", 28),
        ("ListAccessKeys", 19),
        ("GetLoginProfile", 10),
        ("ListMFADevices", 10),
        ("ListGroupsForUser", 9),
        ("DescribeEventAggregates", 4),
        ("ListPolicies", 2),
        ("ListUserTags", 2),
        ("ListServiceSpecificCredentials", 2),
        ("ListUsers", 1),
        ("ListUserPolicies", 1),
        ("ListPolicyGenerations", 1),
        ("ListAttachedUserPolicies", 1),
        ("GetUser", 1),
        ("ListSigningCertificates", 1),
        ("ListSSHPublicKeys", 1),
    ]
    .into_iter()
    .map(|(t, n)| (format!("{t} (no userIdentity: nobody's activity)"), n))
    .collect();
    assert_eq!(summary.skipped, skipped);
    crate::assert_every_skip_has_a_reason(&summary);

    // The reduced schema has no userIdentity at all: imported without an actor.
    assert!(executions.iter().all(|(e, _)| e.actor.is_none()));
    assert!(executions.iter().all(|(e, _)| e.account == "randomUser03"));
    assert!(
        executions
            .iter()
            .all(|(e, _)| e.entitlement.as_deref() == Some("AKIAREDACTEDNJYME9LZ"))
    );

    let (reenable, _) = find(&executions, "fe393f87-7c45-4c58-be9f-a7ac69a21714");
    assert_eq!(reenable.action, A::CredentialReactivated);
    assert_eq!(reenable.at.to_rfc3339(), "2023-12-15T02:56:21+00:00");
    let (deleted, _) = find(&executions, "4462aa95-c549-483b-a017-96878b36094c");
    assert_eq!(
        (deleted.action, deleted.outcome),
        (A::CredentialDeleted, Outcome::Succeeded)
    );
}

/// Every cut of the sample, and the sample with bytes overwritten, imports or fails cleanly.
#[test]
fn damaged_copies_never_panic() {
    crate::assert_damaged_copies_never_panic(
        "cloudtrail/stratus-red-team_iam-detonations.json",
        Format::Cloudtrail,
    );
}
