//! Convention 10 end to end: an HR extract in New York wall-clock time, read through a profile
//! with the IANA zone, judged against Okta's UTC log. Two leavers, one each side of daylight
//! saving, each deactivated exactly at the 4 h SLA: both on time with the zone; the same
//! files read at a fixed summer offset make the winter one an hour late (the trap the zone
//! avoids; a fixed winter offset errs the other way and hides an hour in summer).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use evidentia_app::ImportOptions;

const HR: &str = "\
Event ID,Employee ID,Worker Name,Work Email,Worker Type,Event,Event Reason,Effective Date,Job Code
H-1,E1,Ann Winter,ann@dst.example,Employee,Hire,,01/02/2024 09:00,ENG
H-2,E2,Bob Summer,bob@dst.example,Employee,Hire,,01/02/2024 09:00,ENG
T-1,E1,Ann Winter,ann@dst.example,Employee,Termination,Resignation,01/15/2025 17:30,ENG
T-2,E2,Bob Summer,bob@dst.example,Employee,Termination,Resignation,07/15/2025 17:30,ENG
";

/// Okta deactivations, UTC: 17:30 EST is 22:30Z, +4h = 02:30Z; 17:30 EDT is 21:30Z, +4h = 01:30Z.
const OKTA: &str = r#"{"eventType":"user.lifecycle.deactivate","published":"2025-01-16T02:30:00.000Z","uuid":"d1","outcome":{"result":"SUCCESS"},"actor":{"alternateId":"iga@dst.example","type":"User"},"target":[{"type":"User","alternateId":"ann@dst.example","id":"u1"}]}
{"eventType":"user.lifecycle.deactivate","published":"2025-07-16T01:30:00.000Z","uuid":"d2","outcome":{"result":"SUCCESS"},"actor":{"alternateId":"iga@dst.example","type":"User"},"target":[{"type":"User","alternateId":"bob@dst.example","id":"u2"}]}
"#;

const SNAPSHOT: &str = "\
System\tAs Of\tAccount\tIdentity\tEntitlement\tStatus\tLast Used
okta\t2024-12-31T23:59:59Z\tann@dst.example\t\tEveryone\tMatched\t
okta\t2024-12-31T23:59:59Z\tbob@dst.example\t\tEveryone\tMatched\t
";

const POLICY: &str = r#"format = "evidentia-policy/1"
[organisation]
name = "DST test"
period_start = 2025-01-01
period_end = 2025-12-31
[systems.okta]
criticality = "critical"
revocation_sla = "4h"
[profiles."*"]
okta = ["Everyone"]
"#;

async fn late_leavers(dir: &Path, timezone: &str) -> Vec<String> {
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 9, 0, 0).single().unwrap();
    let write = |name: &str, text: &str| -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let builtin = include_str!("../../evidentia-import/profiles/hr-extract.toml");
    let profile = builtin.replace(
        "timezone = \"-05:00\"",
        &format!("timezone = \"{timezone}\""),
    );
    assert_ne!(profile, builtin, "the built-in HR profile names its zone");
    let profile = write("hr-new-york.toml", &profile);
    let ws = evidentia_app::Location::from(
        dir.join(format!("{}.evidentia", timezone.replace('/', "-"))),
    );
    evidentia_app::init_workspace(&ws, now).await.unwrap();
    let import = |file: PathBuf, profile: Option<String>| {
        let ws = ws.clone();
        async move {
            let options = ImportOptions {
                profile,
                ..ImportOptions::default()
            };
            evidentia_app::import_files(&ws, &[file], &options, Some("tester"), now, |_, _| {})
                .await
                .unwrap();
        }
    };
    import(write("hr.csv", HR), Some(profile.display().to_string())).await;
    import(write("okta.jsonl", OKTA), None).await;
    import(
        write("okta-2024-12-31.tsv", SNAPSHOT),
        Some("reconciliation-csv".into()),
    )
    .await;
    evidentia_app::set_policy(&ws, &write("policy.toml", POLICY), Some("tester"), now)
        .await
        .unwrap();
    let run = evidentia_app::analyze_workspace(&ws, None, now)
        .await
        .unwrap();
    run.analysis
        .findings
        .iter()
        .filter(|f| f.check.starts_with("EV-LEAVER"))
        .map(|f| format!("{} {}", f.check, f.identity.as_ref().unwrap()))
        .collect()
}

#[tokio::test]
async fn a_named_zone_keeps_both_sides_of_daylight_saving_on_time() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        late_leavers(dir.path(), "America/New_York").await,
        Vec::<String>::new(),
        "both deactivations land exactly at the 4 h SLA"
    );
}

#[tokio::test]
async fn a_fixed_summer_offset_makes_the_winter_leaver_late() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        late_leavers(dir.path(), "-04:00").await,
        ["EV-LEAVER-REVOKED-LATE E1"],
        "read at -04:00 the January leave is 21:30Z, so 02:30Z looks 5 h later"
    );
}
