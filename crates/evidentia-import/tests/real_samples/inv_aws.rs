//! The AWS IAM inventories: every credential report and authorization-details sample is detected and imports with only its file time; AWS's error response and a hand-edited report are refused as they should be.

use std::collections::BTreeMap;

use evidentia_domain::{Coverage, ReconciliationRecord, ReconciliationStatus as S, Timestamp};
use evidentia_import::{Format, ImportError, Location, detect_format};

use crate::{Damage, Imported, assert_damaged_copies_never_panic_with, file_time};

const REPORTS: &str = "inventories/aws_credential_report/";
const DETAILS: &str = "inventories/aws_account_authorization_details/";

fn at(text: &str) -> Timestamp {
    evidentia_import::json_stream::parse_timestamp(text).expect("a time")
}

fn run_bytes(bytes: &[u8], name: &str, format: Format) -> Result<Imported, ImportError> {
    let (result, rows) = crate::import_inventory_bytes(bytes, name, format, None);
    result.map(|summary| (summary, rows))
}

/// Detects the sample as `format` and imports it with no flags but the file time.
fn run(rel: &str, format: Format) -> Option<Imported> {
    let imported = crate::import_inventory(rel, format, None)?;
    assert!(
        imported.0.diagnostics.is_empty(),
        "{:?}",
        imported.0.diagnostics
    );
    Some(imported)
}

/// A file of `../shared/sample-sources/inventories/aws_credential_report/`, or `None` when it
/// is absent.
fn source(rel: &str) -> Option<Vec<u8>> {
    crate::sample_source(&format!("inventories/aws_credential_report/{rel}"))
}

fn counts(rows: &[(ReconciliationRecord, Location)]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for (r, _) in rows {
        let kind = match (&r.entitlement, r.credential) {
            (None, _) => format!("account {}", r.status.as_str()),
            (Some(e), true) => format!("credential {e} {}", r.status.as_str()),
            (Some(e), false) if e.starts_with("arn:") => "policy".to_owned(),
            (Some(e), false) if e.starts_with("inline:") => "inline".to_owned(),
            (Some(e), false) if e == "trust-policy" || e == "console-login" => e.to_string(),
            (Some(_), false) => "group".to_owned(),
        };
        *counts.entry(kind).or_default() += 1;
    }
    counts
}

fn expect(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

fn find<'r>(
    rows: &'r [(ReconciliationRecord, Location)],
    account: &str,
    item: Option<&str>,
) -> &'r ReconciliationRecord {
    &rows
        .iter()
        .find(|(r, _)| r.account == account && r.entitlement.as_deref() == item)
        .unwrap_or_else(|| panic!("no row {account} {item:?}"))
        .0
}

fn report_coverage() -> Option<Coverage> {
    Some(Coverage {
        accounts: true,
        entitlements: false,
        credentials: true,
        holders_of: None,
    })
}

#[test]
fn cloud_custodian_account_report() {
    let Some((summary, rows)) = run(
        &format!(
            "{REPORTS}DERIVED_c7n_test_account_credential_report_iam.GetCredentialReport_1.Content.csv"
        ),
        Format::AwsCredentialReport,
    ) else {
        return;
    };
    assert_eq!(summary.rows, 21);
    // A bare CSV states no moment: the file time, with the warning saying so.
    assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
    assert!(rows.iter().all(|(r, _)| r.as_of == file_time()));
    assert!(
        rows.iter()
            .all(|(r, _)| r.coverage.as_deref() == report_coverage().as_ref())
    );
    assert_eq!(
        counts(&rows),
        expect(&[
            // A user with keys but no console password is disabled as an account; its keys
            // are credentials on rows of their own.
            ("account expected_present", 19),
            ("account disabled", 2),
            ("console-login", 18),
            ("credential access-key-1 expected_present", 14),
            ("credential access-key-2 expected_present", 2),
        ])
    );
    let root = find(&rows, "root", None);
    assert_eq!(root.last_used_at, Some(at("2016-10-06T15:47:11+00:00")));
    let andrew = find(&rows, "andrew", None);
    assert_eq!(andrew.last_used_at, Some(at("2016-11-16T14:10:34+00:00")));
    let key = find(&rows, "andrew", Some("access-key-2"));
    assert_eq!(key.last_used_at, Some(at("2016-10-20T20:27:00+00:00")));
    assert_eq!(
        find(&rows, "andrew", Some("access-key-1")).last_used_at,
        None
    );
}

#[test]
fn cloud_custodian_unused_keys_report() {
    let Some((summary, rows)) = run(
        &format!(
            "{REPORTS}DERIVED_c7n_test_iam_user_unused_keys_iam.GetCredentialReport_2.Content.csv"
        ),
        Format::AwsCredentialReport,
    ) else {
        return;
    };
    assert_eq!(summary.rows, 8);
    assert_eq!(
        counts(&rows),
        expect(&[
            ("account expected_present", 2),
            ("account disabled", 6),
            ("console-login", 1),
            ("credential access-key-1 expected_present", 8),
            ("credential access-key-2 expected_missing", 1),
            ("credential signing-certificate-1 expected_present", 1),
        ])
    );
    // The root user's second key is inactive but has a rotation date: listed, not in force.
    assert_eq!(
        find(&rows, "root", Some("access-key-2")).status,
        S::ExpectedMissing
    );
    assert_eq!(
        find(&rows, "root", Some("access-key-1")).last_used_at,
        Some(at("2015-07-04T15:09:00+00:00"))
    );
    // `no_information`: never signed in as far as AWS knows.
    assert_eq!(
        find(&rows, "kaleb", Some("console-login")).last_used_at,
        None
    );
}

#[test]
fn cloudmapper_report_as_csv_and_as_the_cli_response() {
    let Some((_, csv_rows)) = run(
        &format!("{REPORTS}DERIVED_cloudmapper_iam-get-credential-report.Content.csv"),
        Format::AwsCredentialReport,
    ) else {
        return;
    };
    let Some((summary, rows)) = run(
        &format!("{REPORTS}cloudmapper_iam-get-credential-report.json"),
        Format::AwsCredentialReport,
    ) else {
        return;
    };
    // The response states its moment: no warning, GeneratedTime is the snapshot's time.
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    assert!(
        rows.iter()
            .all(|(r, _)| r.as_of == at("2019-05-07T15:40:22+00:00"))
    );
    assert_eq!(counts(&rows), counts(&csv_rows));
    assert_eq!(
        counts(&rows),
        expect(&[
            ("account expected_present", 2),
            ("account disabled", 1),
            ("console-login", 1),
            ("credential access-key-1 expected_present", 3),
            ("credential access-key-2 expected_present", 1),
        ])
    );
    assert_eq!(rows[0].1, Location::LinePointer(2, "/Content".into()));
    // auditor_tmp has no password but an active (never used) key: the account itself cannot
    // sign in (disabled); the key, a credential on its own row, still can.
    let auditor = find(&rows, "auditor_tmp", None);
    assert_eq!((auditor.status, auditor.last_used_at), (S::Disabled, None));
    assert_eq!(
        find(&rows, "auditor_tmp", Some("access-key-1")).status,
        S::ExpectedPresent
    );
    assert_eq!(
        find(&rows, "user", None).last_used_at,
        Some(at("2018-05-07T15:35:54+00:00"))
    );
}

#[test]
fn placebo_recordings_of_the_report() {
    let Some(bytes) = source("c7n_test_account_credential_report_iam.GetCredentialReport_1.json")
    else {
        return;
    };
    assert_eq!(
        detect_format(&bytes, "x.json"),
        Some(Format::AwsCredentialReport)
    );
    let (summary, rows) =
        run_bytes(&bytes, "placebo.json", Format::AwsCredentialReport).expect("imports");
    assert!(summary.diagnostics.is_empty() && summary.warnings.is_empty());
    assert_eq!(summary.rows, 21);
    assert_eq!(rows.len(), 55);
    assert_eq!(rows[0].1, Location::LinePointer(2, "/data/Content".into()));
    let moment = rows[0].0.as_of;
    assert!(rows.iter().all(|(r, _)| r.as_of == moment));
    assert_ne!(
        moment,
        file_time(),
        "GeneratedTime, written by placebo, is the moment"
    );
}

#[test]
fn report_not_present_is_refused_naming_the_error() {
    let name = "c7n_test_iam_user_unused_keys_iam.GetCredentialReport_1_ReportNotPresent.json";
    let Some(bytes) = source(name) else {
        return;
    };
    assert_eq!(
        detect_format(&bytes, name),
        Some(Format::AwsCredentialReport)
    );
    let err = run_bytes(&bytes, name, Format::AwsCredentialReport).expect_err("refused");
    let text = err.to_string();
    assert!(matches!(err, ImportError::Unreadable(_)), "{err:?}");
    assert!(text.starts_with(name), "{text}");
    assert!(text.contains("ReportNotPresent"), "{text}");
}

#[test]
fn a_hand_edited_report_from_the_future_is_a_row_diagnostic() {
    let name = "c7n_test_iam_user_credential_reverse_filter_delete_iam.GetCredentialReport_1.json";
    let Some(bytes) = source(name) else {
        return;
    };
    assert_eq!(
        detect_format(&bytes, name),
        Some(Format::AwsCredentialReport)
    );
    let (summary, rows) = run_bytes(&bytes, name, Format::AwsCredentialReport).expect("reads");
    // Upper-case TRUE/FALSE read fine; a user created in 2099 in a report generated in 2020
    // contradicts the report, so its row is invalid (the import is refused unless skipped).
    assert!(rows.is_empty());
    assert_eq!(summary.diagnostics.len(), 1);
    let d = &summary.diagnostics[0];
    assert_eq!(d.location, Location::LinePointer(2, "/data/Content".into()));
    assert!(
        d.reason.starts_with("user_creation_time: 2099-08-10"),
        "{}",
        d.reason
    );
}

#[test]
fn cloudmapper_authorization_details() {
    let Some((summary, rows)) = run(
        &format!("{DETAILS}cloudmapper_iam-get-account-authorization-details.json"),
        Format::AwsAuthorizationDetails,
    ) else {
        return;
    };
    assert_eq!(summary.rows, 9);
    assert_eq!(summary.total_records(), 18);
    assert_eq!(summary.skipped.values().sum::<u64>(), 2);
    assert_eq!(summary.warnings.len(), 1, "dated by the file time");
    assert!(rows.iter().all(|(r, _)| r.coverage.as_deref()
        == Some(&Coverage {
            accounts: true,
            entitlements: true,
            credentials: false,
            holders_of: None
        })));
    find(
        &rows,
        "USER_WITH_BAD_INLINE_POLICY",
        Some("arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM"),
    );
    // Roles without RoleLastUsed have no last use; every role has its trust policy.
    assert_eq!(find(&rows, "level1", None).last_used_at, None);
    find(&rows, "level1", Some("trust-policy"));
    assert!(
        rows.iter()
            .any(|(r, _)| r.account == "GROUP_WITH_BAD_INLINE_POLICY")
    );
}

#[test]
fn cloudsplaining_authorization_details() {
    let Some((summary, rows)) = run(
        &format!("{DETAILS}cloudsplaining_example-authz-details.json"),
        Format::AwsAuthorizationDetails,
    ) else {
        return;
    };
    assert_eq!(summary.rows, 40);
    assert_eq!(summary.total_records(), 23);
    assert_eq!(summary.skipped.values().sum::<u64>(), 32);
    find(&rows, "obama", Some("admin"));
    find(
        &rows,
        "obama",
        Some("arn:aws:iam::aws:policy/AdministratorAccess"),
    );
    // `Python str(datetime)` timestamps with a space.
    assert_eq!(
        find(&rows, "OverprivilegedEC2", None).last_used_at,
        Some(at("2019-01-20T18:48:00+00:00"))
    );

    let Some((summary, rows)) = run(
        &format!("{DETAILS}cloudsplaining_example_authz_v2.json"),
        Format::AwsAuthorizationDetails,
    ) else {
        return;
    };
    assert_eq!((summary.rows, summary.total_records()), (6, 9));
    find(&rows, "BlakeBortles", Some("GOAT"));
    // The group GOAT's own policy is a row of account GOAT, as CloudTrail's AttachGroupPolicy.
    find(
        &rows,
        "GOAT",
        Some("arn:aws:iam::aws:policy/AdministratorAccess"),
    );
    find(&rows, "GOAT", Some("trust-policy"));
}

#[test]
fn iam_vulnerable_authorization_details() {
    let Some((summary, rows)) = run(
        &format!("{DETAILS}cloudsplaining_examples-files-example.json"),
        Format::AwsAuthorizationDetails,
    ) else {
        return;
    };
    assert_eq!(summary.rows, 44 + 5 + 78 + 84);
    assert_eq!(summary.total_records(), 351);
    assert_eq!(
        summary.skipped.get("group (no policies of its own)"),
        Some(&2)
    );
    let accounts = rows.iter().filter(|(r, _)| r.entitlement.is_none()).count();
    assert_eq!(accounts, 44 + 78);
    let used = rows
        .iter()
        .filter(|(r, _)| r.entitlement.is_none() && r.last_used_at.is_some())
        .count();
    assert_eq!(used, 26);
    assert_eq!(
        find(
            &rows,
            "AWS-QuickSetup-EnableCRecording-1clff_ap-northeast-1",
            None
        )
        .last_used_at,
        Some(at("2022-08-07T12:56:48+00:00"))
    );
    assert!(
        rows.iter()
            .all(|(r, _)| !r.credential && r.status == S::ExpectedPresent)
    );
}

/// The usual damage, with a comma among the junk bytes (a CSV's separator).
const DAMAGE: Damage = Damage {
    junk: b"\"{]\\\xff\n0,",
    ..crate::DAMAGE
};

#[test]
fn damaged_copies_never_panic() {
    for name in [
        "DERIVED_c7n_test_account_credential_report_iam.GetCredentialReport_1.Content.csv",
        "cloudmapper_iam-get-credential-report.json",
    ] {
        assert_damaged_copies_never_panic_with(
            &format!("{REPORTS}{name}"),
            Format::AwsCredentialReport,
            &DAMAGE,
        );
    }
    for name in [
        "cloudmapper_iam-get-account-authorization-details.json",
        "cloudsplaining_example_authz_v2.json",
    ] {
        assert_damaged_copies_never_panic_with(
            &format!("{DETAILS}{name}"),
            Format::AwsAuthorizationDetails,
            &DAMAGE,
        );
    }
}
