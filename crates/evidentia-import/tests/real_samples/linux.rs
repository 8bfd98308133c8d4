//! The Linux sample (a Sentinel Syslog CSV export): counts per process and action, and spot-checked fields.

use std::collections::BTreeMap;

use chrono::TimeZone;
use evidentia_domain::{Execution, Outcome, ProvisioningAction as A, Record};
use evidentia_import::{Format, ImportContext, ImportSummary, Location, Origin, import};

use crate::sample;

const SAMPLE: &str = "linux-auth/azure-sentinel_Linux_Authpriv_UserManagement_IngestedLogs.csv";

fn run() -> Option<(ImportSummary, Vec<(Execution, Location)>)> {
    let bytes = sample(SAMPLE)?;
    let ctx = ImportContext {
        size: Some(bytes.len() as u64),
        ..ImportContext::new(SAMPLE)
    };
    let mut sink: Vec<(Record, Origin)> = Vec::new();
    let summary = import(
        Format::Linux,
        &mut bytes.as_slice(),
        &ctx,
        &mut sink,
        &mut |_| {},
    )
    .expect("sample imports");
    assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    let (executions, activity) = crate::split(sink);
    // The export holds shadow-utils lines only: no sshd, su or sudo, so no activity.
    assert!(activity.is_empty(), "{activity:?}");
    Some((summary, executions))
}

fn at_line(executions: &[(Execution, Location)], line: u64) -> &Execution {
    executions
        .iter()
        .find(|(_, l)| *l == Location::Line(line))
        .map(|(e, _)| e)
        .expect("a record from that line")
}

#[test]
fn sentinel_user_management_export() {
    let Some((summary, executions)) = run() else {
        return;
    };
    assert_eq!(summary.rows, 49);

    let mut imported: BTreeMap<(String, A), u64> = BTreeMap::new();
    for (e, _) in &executions {
        *imported
            .entry((crate::event_type(e), e.action))
            .or_default() += 1;
    }
    let expected: BTreeMap<(String, A), u64> = [
        (("useradd", A::CreateAccount), 4),
        (("usermod", A::CredentialRotated), 2),
        (("usermod", A::Disable), 1),
        (("usermod", A::Enable), 1),
        (("usermod", A::Grant), 1),
        (("userdel", A::Delete), 2),
        (("userdel", A::Revoke), 1),
        (("gpasswd", A::Grant), 1),
        (("gpasswd", A::Revoke), 1),
    ]
    .into_iter()
    .map(|((p, a), n)| ((p.to_owned(), a), n))
    .collect();
    assert_eq!(imported, expected);

    // Group definitions, /etc/gshadow twins, renames and home moves change no access.
    let skipped: BTreeMap<String, u64> = [
        ("groupadd", 21),
        ("usermod", 4),
        ("userdel (gshadow twin of a line already counted)", 3),
        (
            "userdel (the user's private group, removed with the account)",
            2,
        ),
        (
            "groupdel (group definition removed; the line names no members)",
            3,
        ),
        ("groupmod", 2),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_owned(), n))
    .collect();
    assert_eq!(summary.skipped, skipped);

    // Per process, records plus skips add up to the README's counts by ProcessName.
    let readme = [
        ("groupadd", 21),
        ("usermod", 9),
        ("userdel", 8),
        ("useradd", 4),
        ("groupdel", 3),
        ("groupmod", 2),
        ("gpasswd", 2),
    ];
    for (process, count) in readme {
        let records: u64 = imported
            .iter()
            .filter(|((p, _), _)| p == process)
            .map(|(_, n)| n)
            .sum();
        // Skip keys are the process name, with the reason in parentheses after it.
        let skips: u64 = summary
            .skipped
            .iter()
            .filter(|(k, _)| *k == process || k.starts_with(&format!("{process} (")))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(records + skips, count, "{process}");
    }
    assert_eq!(
        executions.len() as u64 + summary.skipped.values().sum::<u64>(),
        49
    );

    let utc = |d, h, m, s| {
        chrono::Utc
            .with_ymd_and_hms(2023, 7, d, h, m, s)
            .single()
            .expect("valid")
    };

    let grant = at_line(&executions, 42);
    assert_eq!(grant.action, A::Grant);
    assert_eq!(grant.account, "LocalAdmin@zabbix");
    assert_eq!(grant.entitlement.as_deref(), Some("testgroup"));
    assert_eq!(grant.actor.as_deref(), Some("root@zabbix"));
    assert_eq!(
        grant.at,
        utc(30, 18, 31, 40),
        "EventTime, not TimeGenerated"
    );
    assert_eq!(grant.outcome, Outcome::Succeeded);
    assert_eq!(grant.system.as_str(), "linux");

    let create = at_line(&executions, 5);
    assert_eq!(
        (create.action, create.account.as_str()),
        (A::CreateAccount, "ntp@zabbix")
    );
    assert_eq!(create.actor, None);
    assert_eq!(create.at, utc(28, 20, 7, 14));

    let delete = at_line(&executions, 31);
    assert_eq!(
        (delete.action, delete.account.as_str()),
        (A::Delete, "baduser2@zabbix")
    );

    // Expiry set to 1970-01-02 disables the account at the time of the change.
    let disable = at_line(&executions, 47);
    assert_eq!(
        (disable.action, disable.account.as_str()),
        (A::Disable, "baduser2@zabbix")
    );
    assert_eq!(disable.at, utc(30, 18, 21, 37));

    let sudo = executions
        .iter()
        .find(|(e, _)| e.action == A::Grant && e.source_event_type.as_deref() == Some("usermod"))
        .map(|(e, _)| e)
        .expect("usermod grant");
    assert_eq!(
        (sudo.account.as_str(), sudo.entitlement.as_deref()),
        ("baduser2@zabbix", Some("sudo"))
    );
}
