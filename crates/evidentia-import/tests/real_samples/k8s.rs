//! The Kubernetes audit sample: counts per verb and resource, and spot-checked fields.

use std::collections::BTreeMap;

use chrono::TimeZone;
use evidentia_domain::{ActivityChannel, Execution, Outcome, ProvisioningAction as A, Record};
use evidentia_import::{Format, ImportContext, Location, Origin, import};

use crate::sample;

const SAMPLE: &str = "kubernetes-audit/falco-trace-files_k8s-audit-identity.jsonl";

fn on_line(executions: &[(Execution, Location)], line: u64) -> Vec<&Execution> {
    executions
        .iter()
        .filter(|(_, l)| *l == Location::LinePointer(line, String::new()))
        .map(|(e, _)| e)
        .collect()
}

#[test]
fn falco_identity_trace_files() {
    let Some(bytes) = sample(SAMPLE) else { return };
    let ctx = ImportContext::new(SAMPLE);
    let mut sink: Vec<(Record, Origin)> = Vec::new();
    let summary = import(
        Format::K8s,
        &mut bytes.as_slice(),
        &ctx,
        &mut sink,
        &mut |_| {},
    )
    .expect("sample imports");
    assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    assert_eq!(summary.rows, 13);
    let (executions, activity) = crate::split(sink);

    let mut imported: BTreeMap<(String, A), u64> = BTreeMap::new();
    for (e, _) in &executions {
        *imported
            .entry((crate::event_type(e), e.action))
            .or_default() += 1;
    }
    let expected: BTreeMap<(String, A), u64> = [
        (("create serviceaccounts", A::CreateAccount), 3),
        (("delete serviceaccounts", A::Delete), 1),
        (("create secrets", A::CredentialCreated), 1),
        (("create clusterrolebindings", A::Grant), 2),
        (("delete clusterrolebindings", A::Revoke), 1),
    ]
    .into_iter()
    .map(|((t, a), n)| ((t.to_owned(), a), n))
    .collect();
    assert_eq!(imported, expected);
    // Role definitions and namespaces change nobody's access: they are the API calls of the
    // users who made them, except the anonymous user's, which is no account's use.
    assert_eq!(
        summary.skipped,
        BTreeMap::from([(
            "create namespaces (the control plane's or a node's request, not an account's use)"
                .to_owned(),
            1
        )])
    );
    crate::assert_every_skip_has_a_reason(&summary);
    let got: Vec<_> = activity
        .iter()
        .map(|a| {
            assert_eq!(a.system.as_str(), "kubernetes");
            assert_eq!(a.channel, ActivityChannel::ApiCall);
            assert!(!a.interactive);
            assert_eq!(a.outcome, Outcome::Succeeded);
            (
                a.account.as_str(),
                a.count,
                a.first.location.as_str(),
                a.last.location.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("minikube-user", 3, "line 6", "line 7"),
            ("some-user", 1, "line 13", "line 13"),
        ]
    );
    assert_eq!(
        activity[0].event_types,
        ["create clusterroles", "delete clusterroles"]
    );
    assert_eq!(
        activity[0].first.source_event_id.as_deref(),
        Some("b8dfba33-a6e6-4f3c-b2cb-d47de1c4e74b")
    );
    assert_eq!(activity[0].days[0].to_string(), "2018-10-26");
    assert_eq!(activity[1].event_types, ["create namespaces"]);

    let created = on_line(&executions, 2);
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0].account,
        "system:serviceaccount:kube-system:myacct"
    );
    assert_eq!(created[0].actor.as_deref(), Some("minikube-user"));
    assert_eq!(
        created[0].source_event_id.as_deref(),
        Some("6754ae2b-6b72-4405-a773-28e53a74c720")
    );
    let at = chrono::Utc
        .with_ymd_and_hms(2018, 10, 26, 13, 56, 43)
        .single()
        .expect("valid")
        + chrono::Duration::microseconds(585_256);
    assert_eq!(created[0].at, at, "stageTimestamp");

    // A Metadata-level secret: no body, recognised by the token controller's naming.
    let token = on_line(&executions, 4);
    assert_eq!(token[0].account, "system:serviceaccount:test2:default");
    assert_eq!(token[0].entitlement.as_deref(), Some("default-token-7v4pb"));
    assert_eq!(
        token[0].actor.as_deref(),
        Some("system:kube-controller-manager")
    );

    let admin = on_line(&executions, 9);
    assert_eq!(
        (admin[0].account.as_str(), admin[0].entitlement.as_deref()),
        ("minikube", Some("cluster-admin"))
    );
    assert_eq!(admin[0].outcome, Outcome::Succeeded);

    // The delete (13:25:47) revokes what the create just before it (13:25:18, line 8) granted,
    // not the later re-create on line 9.
    let revoke = on_line(&executions, 10);
    assert_eq!(revoke.len(), 1);
    assert_eq!(
        (revoke[0].account.as_str(), revoke[0].entitlement.as_deref()),
        ("minikube", Some("system:basic-user"))
    );
}
