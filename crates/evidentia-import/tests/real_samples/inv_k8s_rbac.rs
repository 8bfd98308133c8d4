//! The Kubernetes RBAC listing samples (`kubectl get … -o yaml`): detected, imported with only the file's time, rows spot-checked.

use evidentia_domain::{Coverage, ReconciliationRecord};
use evidentia_import::{Format, ImportSummary};

const DIR: &str = "inventories/k8s_rbac/";

/// Account, entitlement and whether it is a credential, per row.
type Rows = Vec<(String, Option<String>, bool)>;

/// Detects and imports one sample as the CLI would (the file's mtime in the context).
fn rows(name: &str) -> Option<(Rows, Coverage, ImportSummary)> {
    let (summary, rows) = crate::import_inventory(&format!("{DIR}{name}"), Format::K8sRbac, None)?;
    assert!(
        summary.diagnostics.is_empty(),
        "{name}: {:?}",
        summary.diagnostics
    );
    let records: Vec<ReconciliationRecord> = rows.into_iter().map(|(r, _)| r).collect();
    let coverage = records
        .first()
        .and_then(|r| r.coverage.as_deref().cloned())
        .unwrap_or_else(|| panic!("{name}: no rows"));
    assert!(
        records
            .iter()
            .all(|r| r.coverage.as_deref() == Some(&coverage))
    );
    assert!(records.iter().all(|r| r.system.as_str() == "kubernetes"));
    assert!(records.iter().all(|r| r.as_of == crate::file_time()));
    let brief = records
        .into_iter()
        .map(|r| {
            (
                r.account.into(),
                r.entitlement.map(Into::into),
                r.credential,
            )
        })
        .collect();
    Some((brief, coverage, summary))
}

fn row(account: &str, entitlement: Option<&str>) -> (String, Option<String>, bool) {
    (account.to_owned(), entitlement.map(str::to_owned), false)
}

const NOTHING: Coverage = Coverage {
    accounts: false,
    entitlements: false,
    credentials: false,
    holders_of: None,
};

#[test]
fn bootstrap_cluster_role_bindings() {
    let Some((rows, coverage, summary)) =
        rows("kubernetes_bootstrappolicy_testdata_cluster-role-bindings.yaml")
    else {
        return;
    };
    assert_eq!(
        rows,
        vec![
            row("group:system:masters", Some("cluster-admin")),
            row("group:system:authenticated", Some("system:basic-user")),
            row("group:system:authenticated", Some("system:discovery")),
            row(
                "system:kube-controller-manager",
                Some("system:kube-controller-manager")
            ),
            row(
                "system:serviceaccount:kube-system:kube-dns",
                Some("system:kube-dns")
            ),
            row("system:kube-scheduler", Some("system:kube-scheduler")),
            row("system:kube-proxy", Some("system:node-proxier")),
            row(
                "group:system:authenticated",
                Some("system:public-info-viewer")
            ),
            row(
                "group:system:unauthenticated",
                Some("system:public-info-viewer")
            ),
            row("system:kube-scheduler", Some("system:volume-scheduler")),
        ]
    );
    assert_eq!(summary.rows, 10);
    // `system:node` has no subjects.
    assert_eq!(
        summary
            .skipped
            .get("ClusterRoleBinding without subjects (a binding with no subjects grants nothing)"),
        Some(&1)
    );
    // Cluster role bindings alone do not show every binding.
    assert_eq!(coverage, NOTHING);
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.reason.contains("no role bindings"))
    );
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.reason.contains("modification time"))
    );
}

#[test]
fn popeye_cluster_role_bindings_import_as_they_say() {
    let Some((rows, _, summary)) = rows("popeye_testdata_auth_crb_1.yaml") else {
        return;
    };
    assert_eq!(
        rows,
        vec![
            row("fred", Some("cr1")),
            row("system:serviceaccount:default:sa2", Some("cr-bozo")),
            row("system:serviceaccount:default:sa-bozo", Some("r-bozo")),
        ]
    );
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.reason.contains("refers to a Role (`r-bozo`)"))
    );

    let Some((rows, _, _)) = rows_of("popeye_testdata_auth_crb_2.yaml") else {
        return;
    };
    assert_eq!(
        rows[0],
        row("system:serviceaccount:default:default", Some("cr1"))
    );
    assert_eq!(rows.len(), 3);
}

fn rows_of(name: &str) -> Option<(Rows, Coverage, ImportSummary)> {
    rows(name)
}

#[test]
fn popeye_role_bindings_scope_subjects_to_the_binding_namespace() {
    let Some((rows, coverage, summary)) = rows("popeye_testdata_auth_rob_2.yaml") else {
        return;
    };
    assert_eq!(
        rows,
        vec![
            row("system:serviceaccount:default:default", Some("default/r1")),
            row(
                "system:serviceaccount:default:sa-bozo",
                Some("default/r-bozo")
            ),
            // A RoleBinding to a ClusterRole grants it within the namespace only.
            row(
                "system:serviceaccount:default:sa-bozo",
                Some("default/cr-bozo")
            ),
        ]
    );
    assert_eq!(coverage, NOTHING);
    assert_eq!(summary.rows, 3);
}

#[test]
fn popeye_service_accounts() {
    let Some((rows, coverage, summary)) = rows("popeye_testdata_core_sa_1.yaml") else {
        return;
    };
    let accounts: Vec<&str> = rows.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(
        accounts,
        vec![
            "system:serviceaccount:default:default",
            "system:serviceaccount:default:sa1",
            "system:serviceaccount:default:sa2",
            "system:serviceaccount:default:sa3",
            "system:serviceaccount:default:sa4",
            "system:serviceaccount:default:sa5",
        ]
    );
    assert!(rows.iter().all(|(_, e, c)| e.is_none() && !c));
    // `bozo` and `s1` are not named as token secrets: references a pod may mount.
    assert_eq!(summary.skipped.values().sum::<u64>(), 2);
    // One namespace only: not the cluster's accounts.
    assert_eq!(coverage, NOTHING);

    let Some((rows, coverage, _)) = rows_of("popeye_testdata_core_sa_2.yaml") else {
        return;
    };
    assert_eq!(
        rows,
        vec![
            row("system:serviceaccount:ns1:sa1", None),
            row("system:serviceaccount:ns2:sa2", None),
        ]
    );
    assert!(coverage.accounts && !coverage.entitlements && !coverage.credentials);
}

#[test]
fn damaged_rbac_listings_never_panic() {
    for name in [
        "kubernetes_bootstrappolicy_testdata_cluster-role-bindings.yaml",
        "popeye_testdata_core_sa_1.yaml",
        "popeye_testdata_auth_rob_2.yaml",
    ] {
        crate::assert_damaged_copies_never_panic_with(
            &format!("{DIR}{name}"),
            Format::K8sRbac,
            &DAMAGE,
        );
    }
}

/// Damage at closer intervals than the usual, with YAML's own punctuation among the junk.
pub const DAMAGE: crate::Damage = crate::Damage {
    cut_every: 37,
    overwrite_every: 97,
    junk: b"\"{]\\\xff\n0:- ",
    ..crate::DAMAGE
};
