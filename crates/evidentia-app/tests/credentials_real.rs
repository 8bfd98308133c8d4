//! Issue #19's acceptance on a real file: an AWS credential report (a Cloud Custodian test
//! account, `../shared/real-samples/inventories/`) where IAM user `rome` has no console password
//! but an active access key. When rome has left, the key is the finding — not the account,
//! whose console access is gone — and its use after the leave time is its own finding.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use evidentia_app::{Format, ImportOptions};

const REPORT: &str = "inventories/aws_credential_report/DERIVED_c7n_test_iam_user_unused_keys_iam.GetCredentialReport_2.Content.csv";

const POLICY: &str = r#"format = "evidentia-policy/1"
[organisation]
name = "Credential report"
period_start = 2016-01-01
period_end = 2016-12-31
[systems.aws]
criticality = "critical"
revocation_sla = "24h"
[correlation.accounts]
"aws:rome" = "E100"
"#;

/// rome's leave: a month before the report, which still lists his key active and last used
/// on 2016-11-25.
const HR: &str = "Event ID,Employee ID,Worker Name,Work Email,Worker Type,Event,Event Reason,Effective Date,Job Code,Prior Job Code,Department,Manager ID,Location,Employee Class,Contract End
EVT-1,E100,Rome Example,rome@example.com,Employee,Hire,,01/04/2016,ENG,,Engineering,,Remote,Regular,
EVT-2,E100,Rome Example,rome@example.com,Employee,Termination,Resigned,10/31/2016,ENG,,Engineering,,Remote,Regular,
";

fn sample(rel: &str) -> Option<PathBuf> {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/real-samples/"
    ));
    if !root.is_dir() {
        println!("skipping: ../shared/real-samples not present");
        return None;
    }
    Some(root.join(rel))
}

#[tokio::test]
async fn a_leavers_key_left_active_in_a_real_credential_report_is_found() {
    let Some(report) = sample(REPORT) else {
        return;
    };
    let now = Utc.with_ymd_and_hms(2017, 1, 15, 9, 0, 0).single().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ws = evidentia_app::Location::from(dir.path().join("cred.evidentia"));
    evidentia_app::init_workspace(&ws, now).await.unwrap();
    let hr = dir.path().join("hr.csv");
    std::fs::write(&hr, HR).unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, POLICY).unwrap();
    evidentia_app::set_policy(&ws, &policy, Some("tester"), now)
        .await
        .unwrap();
    let imports = [
        (
            hr,
            ImportOptions {
                profile: Some("hr-extract".into()),
                ..ImportOptions::default()
            },
        ),
        (
            report,
            ImportOptions {
                format: Some(Format::AwsCredentialReport),
                // The report was generated on 2016-11-28 (its last use is the 25th).
                as_of: Some(
                    Utc.with_ymd_and_hms(2016, 11, 28, 12, 0, 0)
                        .single()
                        .unwrap(),
                ),
                ..ImportOptions::default()
            },
        ),
    ];
    for (file, options) in imports {
        evidentia_app::import_files(&ws, &[file], &options, Some("tester"), now, |_, _| {})
            .await
            .unwrap();
    }
    let view = evidentia_app::findings_view(&ws, now).await.unwrap();
    let of_rome: Vec<_> = view
        .findings
        .iter()
        .filter(|f| f.identity.as_deref() == Some("E100"))
        .map(|f| {
            (
                f.check.as_str(),
                f.account.as_deref(),
                f.entitlement.as_deref(),
            )
        })
        .collect();
    assert!(
        of_rome.contains(&(
            "EV-LEAVER-CREDENTIAL-NOT-REVOKED",
            Some("rome"),
            Some("access-key-1")
        )),
        "{of_rome:?}"
    );
    assert!(
        of_rome.contains(&(
            "EV-CREDENTIAL-USED-AFTER-LEAVE",
            Some("rome"),
            Some("access-key-1")
        )),
        "{of_rome:?}"
    );
    // The account's console access is gone: the account itself is not the finding, and the
    // key's use is not also account activity (convention 17).
    for check in ["EV-LEAVER-NOT-REVOKED", "EV-ACTIVITY-AFTER-TERMINATION"] {
        assert!(
            !of_rome.iter().any(|f| f.0 == check),
            "{check}: {of_rome:?}"
        );
    }
}
