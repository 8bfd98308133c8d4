//! Mapping profiles and the generic CSV/JSON importer: built-in profiles over sample exports, robustness, and profile errors.

use std::io::Read;

use evidentia_domain::{
    ApproverRole, Decision, IdentityKind, LifecycleEventType, Outcome, ProvisioningAction,
    ReconciliationStatus, Record, Tier, Timestamp,
};
use evidentia_import::{
    ImportContext, ImportError, ImportSummary, InputKind, Location, Origin, Profile, ProfileError,
    Progress, RecordSink, SinkError, csv_generic,
};

fn utc(text: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(text)
        .expect("valid rfc3339")
        .to_utc()
}

fn builtin(name: &str) -> Profile {
    Profile::builtin(name).unwrap_or_else(|| panic!("built-in profile {name}"))
}

fn profile(toml: &str) -> Profile {
    Profile::from_toml(toml, "test.toml").unwrap_or_else(|e| panic!("profile: {e}"))
}

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/profiles/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

mod reviews;

type Imported = (Vec<(Record, Origin)>, ImportSummary);

fn import_with(profile: &Profile, input: &mut dyn Read) -> Result<Imported, ImportError> {
    let mut ctx = ImportContext::new("input.csv");
    ctx.profile = Some(profile.clone());
    let mut records = Vec::new();
    let summary = csv_generic::import(input, &ctx, &mut records, &mut |_| {})?;
    Ok((records, summary))
}

fn import(profile: &Profile, bytes: &[u8]) -> Result<Imported, ImportError> {
    import_with(profile, &mut &bytes[..])
}

fn ok(profile: &Profile, bytes: &[u8]) -> Imported {
    import(profile, bytes).unwrap_or_else(|e| panic!("import failed: {e}"))
}

fn lines(records: &[(Record, Origin)]) -> Vec<u64> {
    records
        .iter()
        .map(|(_, origin)| match origin.location {
            Location::Line(n) => n,
            ref other => panic!("expected a line, got {other:?}"),
        })
        .collect()
}

fn diagnostics(summary: &ImportSummary) -> Vec<String> {
    summary
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// The whole-file error an import must return.
fn unreadable(profile: &Profile, bytes: &[u8]) -> String {
    match import(profile, bytes) {
        Err(ImportError::Unreadable(diagnostic)) => diagnostic.to_string(),
        Err(other) => panic!("expected Unreadable, got {other}"),
        Ok((_, summary)) => panic!("expected Unreadable, got {summary:?}"),
    }
}

/// A small provisioning profile most robustness cases share.
fn simple() -> Profile {
    profile(
        r#"
        name = "simple"
        kind = "provisioning"
        delimiter = "auto"
        time_formats = ["%Y-%m-%d %H:%M", "rfc3339"]
        [columns]
        system = "System"
        account = "Account"
        action = "Action"
        at = "When"
        outcome = "Result"
        entitlement = "Entitlement"
        [values.action]
        "Add Role" = "grant"
        "Login" = "skip"
        [defaults]
        outcome = "succeeded"
        "#,
    )
}

fn executions(records: &[(Record, Origin)]) -> Vec<&evidentia_domain::Execution> {
    records
        .iter()
        .map(|(r, _)| match r {
            Record::Execution(e) => e,
            other => panic!("expected an execution, got {other:?}"),
        })
        .collect()
}

mod builtins {
    use super::*;

    #[test]
    fn every_builtin_loads_by_name_and_unknown_names_list_them() {
        let names = Profile::builtin_names();
        assert_eq!(
            names,
            [
                "hr-extract",
                "nhi-catalog",
                "ticket-export",
                "provisioning-csv",
                "reconciliation-csv",
                "exceptions-register",
                "access-review",
                "access-review-campaigns",
                "midpoint-certification",
                "entra-review-history"
            ]
        );
        for name in names {
            let loaded = Profile::load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(loaded.name, name);
        }
        match Profile::load("hr-extrakt") {
            Err(e @ ProfileError::UnknownBuiltin { .. }) => {
                assert!(e.to_string().contains("hr-extract, nhi-catalog"), "{e}")
            }
            other => panic!("expected UnknownBuiltin, got {other:?}"),
        }
    }

    #[test]
    fn hr_extract() {
        let (records, summary) = ok(&builtin("hr-extract"), &data("hr-extract.csv"));
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        assert_eq!(summary.skipped.get("Leave of Absence"), Some(&1));
        assert_eq!(summary.rows, 6, "the row of only delimiters is not a row");
        assert_eq!(lines(&records), [2, 3, 4, 6, 7]);
        let events: Vec<_> = records
            .iter()
            .map(|(r, _)| match r {
                Record::LifecycleEvent(e) => e,
                other => panic!("{other:?}"),
            })
            .collect();
        let types: Vec<_> = events.iter().map(|e| e.event_type).collect();
        use LifecycleEventType::*;
        assert_eq!(types, [Joiner, Joiner, Mover, Leaver, Leaver]);
        let contractor = events[1];
        assert_eq!(contractor.id.as_str(), "EVT-1002");
        assert_eq!(contractor.identity_kind, IdentityKind::Contractor);
        // 09:00 at the profile's fixed -05:00 is 14:00 UTC.
        assert_eq!(contractor.effective_at, utc("2024-01-15T14:00:00Z"));
        assert_eq!(
            contractor.attributes.department.as_deref(),
            Some("Engineering, Platform")
        );
        assert_eq!(
            contractor.attributes.ends_at,
            Some(utc("2024-06-30T05:00:00Z"))
        );
        let mover = events[2];
        assert_eq!(mover.attributes.role.as_deref(), Some("TREAS-ANALYST"));
        assert_eq!(
            mover.attributes.previous_role.as_deref(),
            Some("FIN-ANALYST")
        );
        assert_eq!(
            mover.attributes.manager.as_ref().map(|m| m.as_str()),
            Some("E0050")
        );
        assert_eq!(events[3].reason.as_deref(), Some("Resignation"));
        assert_eq!(events[3].effective_at, utc("2024-03-15T22:30:00Z"));
    }

    #[test]
    fn nhi_catalog() {
        let (records, summary) = ok(&builtin("nhi-catalog"), &data("nhi-catalog.csv"));
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        assert_eq!(summary.skipped.get("Rotated"), Some(&1));
        let events: Vec<_> = records
            .iter()
            .map(|(r, _)| match r {
                Record::LifecycleEvent(e) => e,
                other => panic!("{other:?}"),
            })
            .collect();
        let kinds: Vec<_> = events
            .iter()
            .map(|e| (e.identity_kind, e.event_type))
            .collect();
        use IdentityKind::*;
        use LifecycleEventType::*;
        assert_eq!(
            kinds,
            [
                (ServiceAccount, NhiCreated),
                (AccessKey, NhiCreated),
                (ServiceAccount, NhiOwnerChanged),
                (AiAgent, NhiCreated),
                (AccessKey, NhiRetired)
            ]
        );
        assert_eq!(
            events[2].attributes.owner.as_ref().map(|o| o.as_str()),
            Some("E0050")
        );
        assert_eq!(
            events[0].attributes.location.as_deref(),
            Some("finance-app")
        );
        assert_eq!(events[3].effective_at, utc("2024-04-15T00:00:00Z"));
    }

    #[test]
    fn ticket_export() {
        let (records, summary) = ok(&builtin("ticket-export"), &data("ticket-export.csv"));
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        assert_eq!(summary.skipped.get("Pending Approval"), Some(&1));
        let approvals: Vec<_> = records
            .iter()
            .map(|(r, _)| match r {
                Record::Approval(a) => a,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(approvals.len(), 4);
        let privileged = approvals[1];
        assert_eq!(privileged.id.as_str(), "RITM0010002");
        assert_eq!(privileged.approver_role, ApproverRole::Security);
        assert_eq!(privileged.decision, Decision::Approved);
        assert_eq!(privileged.tier, Tier::Privileged);
        assert!(privileged.exception);
        // Times are at the instance's +01:00.
        assert_eq!(privileged.decided_at, utc("2024-01-14T08:12:00Z"));
        assert_eq!(privileged.expires_at, Some(utc("2024-06-30T22:59:59Z")));
        assert_eq!(
            privileged.justification.as_deref(),
            Some("Deploys for Project Atlas, needs prod")
        );
        assert_eq!(
            approvals[2].tier,
            Tier::Privileged,
            "High maps to privileged"
        );
        assert_eq!(approvals[3].decision, Decision::Rejected);
        assert!(!approvals[0].exception);
    }

    #[test]
    fn provisioning_csv() {
        let (records, summary) = ok(&builtin("provisioning-csv"), &data("provisioning-csv.csv"));
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        assert_eq!(summary.skipped.get("Login"), Some(&1));
        let executions = executions(&records);
        let actions: Vec<_> = executions.iter().map(|e| (e.action, e.outcome)).collect();
        use Outcome::*;
        use ProvisioningAction::*;
        assert_eq!(
            actions,
            [
                (CreateAccount, Succeeded),
                (Grant, Succeeded),
                (Grant, Failed),
                (Grant, Succeeded),
                (Disable, Succeeded)
            ]
        );
        let failed = executions[2];
        assert_eq!(failed.at, utc("2024-03-01T12:00:00Z"));
        assert_eq!(failed.failure_reason.as_deref(), Some("Role limit reached"));
        assert_eq!(failed.request_ref.as_deref(), Some("RITM0010003"));
        assert_eq!(failed.source_event_id.as_deref(), Some("FA-90100"));
        assert_eq!(failed.source_event_type.as_deref(), Some("Add Role"));
        assert_eq!(failed.system.as_str(), "finance-app");
    }

    #[test]
    fn reconciliation_csv_with_tabs_and_excel_serials() {
        let (records, summary) = ok(
            &builtin("reconciliation-csv"),
            &data("reconciliation-csv.tsv"),
        );
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        let rows: Vec<_> = records
            .iter()
            .map(|(r, _)| match r {
                Record::Reconciliation(r) => r,
                other => panic!("{other:?}"),
            })
            .collect();
        use ReconciliationStatus::*;
        let statuses: Vec<_> = rows.iter().map(|r| r.status).collect();
        assert_eq!(
            statuses,
            [
                ExpectedPresent,
                ExpectedPresent,
                UnexpectedPresent,
                UnexpectedPresent
            ]
        );
        assert_eq!(rows[0].as_of, utc("2024-03-31T00:00:00Z"));
        assert_eq!(rows[0].last_used_at, Some(utc("2024-03-30T16:30:00Z")));
        assert_eq!(rows[2].last_used_at, Some(utc("2024-03-21T00:00:00Z")));
        assert_eq!(rows[3].identity, None);
        assert_eq!(rows[3].last_used_at, None);
    }

    #[test]
    fn exceptions_register_with_renewals() {
        let (records, summary) = ok(
            &builtin("exceptions-register"),
            &data("exceptions-register.csv"),
        );
        assert_eq!(
            diagnostics(&summary),
            [
                "input.csv:line 5: column \"Expires\": \"31/02/2024\" is not a date in any of the formats %d/%m/%Y, %d/%m/%Y %H:%M, excel, %Y-%m-%d"
            ]
        );
        assert_eq!(
            lines(&records),
            [2, 4],
            "the quoted line break in EXC-001 moves EXC-002 to line 4"
        );
        let exceptions: Vec<_> = records
            .iter()
            .map(|(r, _)| match r {
                Record::Exception(e) => e,
                other => panic!("{other:?}"),
            })
            .collect();
        let first = exceptions[0];
        assert_eq!(first.tier, Tier::Privileged);
        assert_eq!(
            first.reason.as_deref(),
            Some("Contractor needs prod deploys\nuntil the pipeline is automated")
        );
        assert_eq!(first.reapprovals.len(), 2);
        assert_eq!(
            first.reapprovals[0].approved_by.as_str(),
            "risk.owner@example.com"
        );
        assert_eq!(
            first.reapprovals[0].approved_at,
            utc("2024-03-01T00:00:00Z")
        );
        // An expiry written as a date lasts through that day.
        assert_eq!(first.effective_expiry(), Some(utc("2024-12-31T23:59:59Z")));
        let second = exceptions[1];
        assert_eq!(second.owner, None);
        assert_eq!(
            second.granted_at,
            utc("2024-01-15T00:00:00Z"),
            "Excel serial 45306"
        );
        assert_eq!(second.reapprovals.len(), 1);
        assert_eq!(second.effective_expiry(), Some(utc("2024-10-01T23:59:59Z")));
    }
}

mod robustness {
    use super::*;

    const ROWS: &str = "System,Account,Action,When,Result,Entitlement\n\
                        erp,alice,Add Role,2024-03-01 10:00,succeeded,GL\n\
                        erp,bob,grant,2024-03-02 11:00,failed,AP\n";

    #[test]
    fn utf8_bom_is_tolerated() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(ROWS.as_bytes());
        let (records, summary) = ok(&simple(), &bytes);
        assert_eq!(summary.total_records(), 2);
        assert_eq!(lines(&records), [2, 3]);
        assert_eq!(executions(&records)[0].system.as_str(), "erp");
    }

    #[test]
    fn semicolon_tab_and_pipe_are_detected_from_the_header() {
        for delimiter in [";", "\t", "|"] {
            let text = ROWS.replace(',', delimiter);
            let (records, summary) = ok(&simple(), text.as_bytes());
            assert!(
                summary.diagnostics.is_empty(),
                "{delimiter:?}: {:?}",
                diagnostics(&summary)
            );
            assert_eq!(
                executions(&records)[1].entitlement.as_deref(),
                Some("AP"),
                "{delimiter:?}"
            );
        }
    }

    #[test]
    fn an_explicit_delimiter_is_used_as_given() {
        let pipe = profile(
            r#"
            name = "pipe"
            kind = "provisioning"
            delimiter = "|"
            [columns]
            system = "System"
            account = "Account"
            action = "Action"
            at = "When"
            outcome = "Result"
            "#,
        );
        let text =
            "System|Account|Action|When|Result\nerp|a,b|grant|2024-03-01T10:00:00Z|succeeded\n";
        let (records, _) = ok(&pipe, text.as_bytes());
        assert_eq!(executions(&records)[0].account, "a,b");
    }

    #[test]
    fn quoted_newlines_and_delimiters_keep_line_numbers_right() {
        let text = "System,Account,Action,When,Result,Entitlement\n\
                    erp,alice,grant,2024-03-01 10:00,succeeded,\"Line one\nline two, with comma\nline three\"\n\
                    erp,bob,grant,2024-03-02 10:00,succeeded,AP\n\
                    erp,carol,grant,not a date,succeeded,AR\n";
        let (records, summary) = ok(&simple(), text.as_bytes());
        assert_eq!(lines(&records), [2, 5]);
        assert_eq!(
            executions(&records)[0].entitlement.as_deref(),
            Some("Line one\nline two, with comma\nline three")
        );
        assert_eq!(summary.diagnostics[0].location, Location::Line(6));
    }

    #[test]
    fn crlf_line_ends() {
        let text = ROWS.replace('\n', "\r\n");
        let (records, summary) = ok(&simple(), text.as_bytes());
        assert_eq!(lines(&records), [2, 3]);
        assert_eq!(summary.rows, 2);
        assert_eq!(
            executions(&records)[1].entitlement.as_deref(),
            Some("AP"),
            "no stray \\r"
        );
    }

    #[test]
    fn empty_rows_and_rows_of_only_delimiters_are_skipped_silently() {
        let text = format!("{ROWS}\n,,,,,\n  ,  ,,,,\n\n;\n");
        let text = text.replace(";\n", ",,,,,\n");
        let (records, summary) = ok(&simple(), text.as_bytes());
        assert_eq!(records.len(), 2);
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        assert_eq!(summary.rows, 2);
    }

    #[test]
    fn surrounding_whitespace_is_trimmed_in_headers_and_cells() {
        let text = " System , Account ,Action, When ,Result,Entitlement\n  erp  ,  alice , Add Role ,  2024-03-01 10:00 ,  , GL \n";
        let (records, summary) = ok(&simple(), text.as_bytes());
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        let e = executions(&records)[0];
        assert_eq!(
            (
                e.system.as_str(),
                e.account.as_str(),
                e.entitlement.as_deref()
            ),
            ("erp", "alice", Some("GL"))
        );
        assert_eq!(e.action, ProvisioningAction::Grant);
        assert_eq!(
            e.outcome,
            Outcome::Succeeded,
            "an empty cell takes the default"
        );
    }

    #[test]
    fn unknown_enum_value_names_column_value_and_accepted_values() {
        let text =
            "System,Account,Action,When,Result\nerp,alice,Promote,2024-03-01 10:00,succeeded\n";
        let (records, summary) = ok(&simple(), text.as_bytes());
        assert!(records.is_empty());
        let message = diagnostics(&summary).join("\n");
        assert!(
            message.starts_with("input.csv:line 2: column \"Action\": \"Promote\" is not a known action; accepted: \"Add Role\", \"Login\", create_account, grant, revoke"),
            "{message}"
        );
    }

    #[test]
    fn bad_date_names_column_value_and_format() {
        let register = profile(
            r#"
            name = "register"
            kind = "exceptions"
            time_formats = ["%d/%m/%Y"]
            [columns]
            id = "ID"
            tier = "Tier"
            granted_at = "Effective Date"
            "#,
        );
        let text = "ID,Tier,Effective Date\nX-1,standard,31/02/2024\nX-2,standard,29/02/2024\n";
        let (records, summary) = ok(&register, text.as_bytes());
        assert_eq!(records.len(), 1);
        assert_eq!(
            diagnostics(&summary),
            [
                "input.csv:line 2: column \"Effective Date\": \"31/02/2024\" is not a date in format %d/%m/%Y"
            ]
        );
    }

    #[test]
    fn missing_required_value_is_a_diagnostic_and_every_problem_is_listed() {
        let text = "System,Account,Action,When,Result\nerp,,grant,2024-03-01 10:00,succeeded\n,bob,frobnicate,yesterday,succeeded\n";
        let (records, summary) = ok(&simple(), text.as_bytes());
        assert!(records.is_empty());
        let messages = diagnostics(&summary);
        assert_eq!(
            messages[0],
            "input.csv:line 2: column \"Account\" is empty but account is required"
        );
        assert!(messages[1].starts_with("input.csv:line 3: column \"System\" is empty but system is required; column \"Action\": \"frobnicate\""), "{}", messages[1]);
        assert!(messages[1].contains("column \"When\": \"yesterday\" is not a date in any of the formats %Y-%m-%d %H:%M, rfc3339"), "{}", messages[1]);
    }

    #[test]
    fn extra_non_empty_fields_are_reported_but_trailing_empty_ones_are_not() {
        let text = "System,Account,Action,When,Result\nerp,alice,grant,2024-03-01 10:00,succeeded,,\nerp,bob,grant,2024-03-01 10:00,succeeded,oops\n";
        let (records, summary) = ok(&simple(), text.as_bytes());
        assert_eq!(records.len(), 1);
        assert_eq!(
            diagnostics(&summary),
            [
                "input.csv:line 3: the row has 6 fields but the header has 5 (an unquoted \",\" inside a value?)"
            ]
        );
    }

    #[test]
    fn duplicate_header_column_is_a_clear_error() {
        let text =
            "System,Account,Action,When,Result,Account\nerp,a,grant,2024-03-01 10:00,succeeded,b\n";
        assert_eq!(
            unreadable(&simple(), text.as_bytes()),
            "input.csv:line 1: the header has column \"Account\" more than once (columns 2 and 6), so which one holds account is ambiguous"
        );
        // Duplicates of columns the profile does not use are harmless.
        let text = "System,Account,Action,When,Result,Notes,Notes\nerp,a,grant,2024-03-01 10:00,succeeded,x,y\n";
        assert_eq!(ok(&simple(), text.as_bytes()).0.len(), 1);
    }

    #[test]
    fn missing_header_column_names_it_and_lists_the_header() {
        let text = "System,Account,Action,Result\nerp,a,grant,succeeded\n";
        assert_eq!(
            unreadable(&simple(), text.as_bytes()),
            "input.csv:line 1: the header has no column \"When\" (needed for at by profile \"simple\"); the header has: \"System\", \"Account\", \"Action\", \"Result\""
        );
        // Optional columns and columns with a default may be absent.
        let text = "System,Account,Action,When\nerp,a,grant,2024-03-01 10:00\n";
        assert_eq!(ok(&simple(), text.as_bytes()).0.len(), 1);
    }

    #[test]
    fn wrong_delimiter_reads_as_one_column() {
        let comma = builtin("provisioning-csv");
        let text = "Timestamp;System;Account;Action\n01/08/2024 10:15;erp;alice;Create User\n";
        let message = unreadable(&comma, text.as_bytes());
        assert!(message.starts_with("input.csv:line 1: one column found where the profile \"provisioning-csv\" expects 10;"), "{message}");
        assert!(
            message.contains("check the delimiter (the file was read with \",\")"),
            "{message}"
        );
    }

    #[test]
    fn empty_file() {
        assert_eq!(
            unreadable(&simple(), b""),
            "input.csv: the file is empty (0 bytes)"
        );
        assert_eq!(
            unreadable(&simple(), b"\xEF\xBB\xBF\n\n"),
            "input.csv: the file has no header line"
        );
    }

    #[test]
    fn binary_junk_and_invalid_utf8_name_the_line() {
        let junk: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let message = unreadable(&simple(), &junk);
        assert!(
            message.contains("binary data") || message.contains("not valid UTF-8"),
            "{message}"
        );
        let mut text = ROWS.as_bytes().to_vec();
        text.extend_from_slice(b"erp,caf\xE9,grant,2024-03-01 10:00,succeeded,GL\n");
        assert_eq!(
            unreadable(&simple(), &text),
            "input.csv:line 4: field 2 is not valid UTF-8 (byte 0xE9): save the file as UTF-8, or set encoding = \"windows-1252\" in the profile"
        );
        assert!(unreadable(&simple(), b"\xFF\xFEa\0b\0").contains("UTF-16"));
    }

    #[test]
    fn windows_1252_files_decode_when_the_profile_says_so() {
        let cp1252 = profile(
            r#"
            name = "cp"
            kind = "provisioning"
            encoding = "windows-1252"
            [columns]
            system = "System"
            account = "Account"
            action = "Action"
            at = "When"
            [defaults]
            outcome = "succeeded"
            "#,
        );
        let (records, _) = ok(
            &cp1252,
            b"System,Account,Action,When\nerp,Ren\xE9e \x93R\x94,grant,2024-03-01T10:00:00Z\n",
        );
        assert_eq!(
            executions(&records)[0].account,
            "Ren\u{e9}e \u{201c}R\u{201d}"
        );
    }

    #[test]
    fn a_200_mb_line_is_refused_without_reading_it_all() {
        // A stream of 200 MB with no line break: it must stop at the record limit.
        let mut header_then_junk = b"System,Account,Action,When,Result\n"
            .as_ref()
            .chain(std::io::repeat(b'a').take(200 << 20));
        let mut counting = Counting {
            inner: &mut header_then_junk,
            read: 0,
        };
        let result = import_with(&simple(), &mut counting);
        match result {
            Err(ImportError::Unreadable(d)) => {
                assert_eq!(d.location, Location::Line(2));
                assert!(d.reason.contains("longer than 16 MiB"), "{}", d.reason);
            }
            other => panic!("expected Unreadable, got {:?}", other.map(|(_, s)| s)),
        }
        assert!(counting.read < 20 << 20, "read {} bytes", counting.read);
    }

    struct Counting<'a> {
        inner: &'a mut dyn Read,
        read: u64,
    }

    impl Read for Counting<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.read += n as u64;
            Ok(n)
        }
    }

    #[test]
    fn headerless_files_with_title_rows_use_column_numbers() {
        let headerless = profile(
            r#"
            name = "headerless"
            kind = "reconciliation"
            has_header = false
            skip_rows = 2
            delimiter = ";"
            [columns]
            account = "1"
            status = "2"
            as_of = "3"
            [defaults]
            system = "erp"
            "#,
        );
        let text = "Reconciliation report\nGenerated 2024-04-01\nalice;expected_present;2024-03-31\nbob;gone;2024-03-31\n";
        let (records, summary) = ok(&headerless, text.as_bytes());
        assert_eq!(lines(&records), [3]);
        assert_eq!(summary.diagnostics[0].location, Location::Line(4));
        assert!(
            summary.diagnostics[0]
                .reason
                .starts_with("column 2: \"gone\" is not a known status"),
            "{}",
            summary.diagnostics[0].reason
        );
    }

    #[test]
    fn the_system_comes_from_the_import_when_the_file_has_none() {
        let one_system = profile(
            r#"
            name = "one-system"
            kind = "provisioning"
            [columns]
            account = "User"
            action = "Action"
            at = "When"
            [defaults]
            outcome = "succeeded"
            "#,
        );
        let text = b"User,Action,When\nalice,grant,2024-03-01T10:00:00Z\n";
        let mut ctx = ImportContext::new("finance.csv");
        ctx.profile = Some(one_system.clone());
        let mut records = Vec::new();
        match csv_generic::import(&mut &text[..], &ctx, &mut records, &mut |_| {}) {
            Err(ImportError::Unreadable(d)) => {
                assert!(d.reason.contains("maps no system column"), "{d}")
            }
            other => panic!("expected Unreadable, got {other:?}"),
        }
        ctx.system = Some("finance-app".into());
        let summary =
            csv_generic::import(&mut &text[..], &ctx, &mut records, &mut |_| {}).expect("imports");
        assert_eq!(summary.total_records(), 1);
        assert_eq!(executions(&records)[0].system.as_str(), "finance-app");
    }

    #[test]
    fn no_profile_means_profile_required() {
        let ctx = ImportContext::new("x.csv");
        let result = csv_generic::import(&mut &b"a,b\n"[..], &ctx, &mut Vec::new(), &mut |_| {});
        assert!(
            matches!(result, Err(ImportError::ProfileRequired { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn progress_is_reported_every_few_thousand_rows_and_at_the_end() {
        let mut text = String::from("System,Account,Action,When,Result\n");
        for i in 0..10_000 {
            text.push_str(&format!("erp,user{i},grant,2024-03-01 10:00,succeeded\n"));
        }
        let mut ctx = ImportContext::new("big.csv");
        ctx.profile = Some(simple());
        ctx.size = Some(text.len() as u64);
        let mut seen: Vec<Progress> = Vec::new();
        let summary = csv_generic::import(&mut text.as_bytes(), &ctx, &mut Vec::new(), &mut |p| {
            seen.push(p)
        })
        .expect("imports");
        assert_eq!(summary.total_records(), 10_000);
        assert_eq!(
            seen.iter().map(|p| p.rows).collect::<Vec<_>>(),
            [4096, 8192, 10_000]
        );
        let last = seen.last().expect("final progress");
        assert_eq!(
            (last.bytes_read, last.bytes_total),
            (text.len() as u64, Some(text.len() as u64))
        );
    }

    struct Failing;

    impl RecordSink for Failing {
        fn accept(&mut self, _: Record, _: Origin) -> Result<(), SinkError> {
            Err(SinkError("disk full".into()))
        }
    }

    #[test]
    fn a_failing_sink_stops_the_import() {
        let mut ctx = ImportContext::new("x.csv");
        ctx.profile = Some(simple());
        let result = csv_generic::import(&mut ROWS.as_bytes(), &ctx, &mut Failing, &mut |_| {});
        assert!(matches!(result, Err(ImportError::Sink(_))), "{result:?}");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A cheap deterministic fuzz over mixed text and bytes: any result is fine, panics are not.
        let alphabet: &[u8] = b"abc,;|\t\"\r\n 0123456789-:/TZ\xEF\xBB\xBF\xC3\xA9\x00\xFF@>";
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..300 {
            let len = (state % 300) as usize;
            let mut bytes = b"System,Account,Action,When,Result\n".to_vec();
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let _ = import(&simple(), &bytes);
            let _ = import(&builtin("exceptions-register"), &bytes);
        }
    }
}

mod identities {
    use super::*;

    #[test]
    fn a_roster_yields_identity_records() {
        let roster = profile(
            r#"
            name = "roster"
            kind = "identities"
            [columns]
            id = "ID"
            kind = "Type"
            owner = "Owner"
            aliases = "Aliases"
            [values.kind]
            "Svc Account" = "service_account"
            "#,
        );
        let text = "ID,Type,Owner,Aliases\nsvc-1,Svc Account,E1001,\"svc-1@corp; arn:aws:iam::1:user/svc-1\"\nE1001,employee,,alice\n";
        let (records, summary) = ok(&roster, text.as_bytes());
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        match &records[0].0 {
            Record::Identity(identity) => {
                assert_eq!(identity.kind, IdentityKind::ServiceAccount);
                assert_eq!(
                    identity.aliases,
                    ["svc-1@corp", "arn:aws:iam::1:user/svc-1"]
                );
                assert_eq!(identity.owner.as_ref().map(|o| o.as_str()), Some("E1001"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(roster.kind, InputKind::Identities);
    }
}

mod json {
    use super::*;

    fn json_profile(records: Option<&str>) -> Profile {
        let envelope = records
            .map(|r| format!("json_records = \"{r}\"\n"))
            .unwrap_or_default();
        profile(&format!(
            r#"
            name = "json-approvals"
            kind = "approvals"
            json = true
            {envelope}
            time_formats = ["rfc3339", "unix"]
            [columns]
            id = "id"
            subject = "request.for"
            entitlement = "request.item"
            system = "request.system"
            approver = ["approval.by", "approver"]
            approver_role = "approval.role"
            decision = "state"
            decided_at = "approval.at"
            tier = "tier"
            exception = "exception"
            "#
        ))
    }

    const ONE: &str = r#"{"id":"A-1","request":{"for":"E1","item":"GL","system":"erp"},"approval":{"by":"M1","role":"manager","at":"2024-03-01T10:00:00Z"},"state":"approved","tier":"standard","exception":false}"#;
    const TWO: &str = r#"{"id":"A-2","request":{"for":"E2","item":"AP","system":"erp"},"approver":"S1","approval":{"role":"security","at":1709287200},"state":"approved","tier":"privileged","exception":true}"#;
    const BAD: &str = r#"{"id":"A-3","request":{"for":"E3","item":"AP","system":"erp"},"approval":{"by":"M1","role":"boss","at":"2024-03-01T10:00:00Z"},"state":"approved","tier":"standard"}"#;

    #[test]
    fn a_top_level_array() {
        let text = format!("[{ONE},\n{TWO},\n{BAD}]");
        let (records, summary) = ok(&json_profile(None), text.as_bytes());
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].1.location, Location::Pointer("/1".into()));
        match &records[1].0 {
            Record::Approval(a) => {
                assert_eq!(a.approver.as_str(), "S1");
                assert_eq!(a.decided_at, utc("2024-03-01T10:00:00Z"));
                assert!(a.exception);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            summary.diagnostics[0].location,
            Location::Pointer("/2".into())
        );
        assert!(
            summary.diagnostics[0]
                .reason
                .starts_with("field \"approval.role\": \"boss\" is not a known approver_role"),
            "{}",
            summary.diagnostics[0].reason
        );
    }

    #[test]
    fn json_lines() {
        let text = format!("{ONE}\n\n{TWO}\r\n{{not json\n{BAD}\n");
        let (records, summary) = ok(&json_profile(None), text.as_bytes());
        assert_eq!(records.len(), 2);
        assert_eq!(
            records[1].1.location,
            Location::LinePointer(3, String::new())
        );
        let at: Vec<_> = summary
            .diagnostics
            .iter()
            .map(|d| d.location.clone())
            .collect();
        assert_eq!(
            at,
            [
                Location::LinePointer(4, String::new()),
                Location::LinePointer(5, String::new())
            ]
        );
    }

    #[test]
    fn an_envelope_key() {
        let text = format!(
            r#"{{"meta":{{"count":3,"next":[1,2]}},"data":{{"items":[{ONE},{TWO}]}},"after":true}}"#
        );
        let (records, _) = ok(&json_profile(Some("data.items")), text.as_bytes());
        assert_eq!(records.len(), 2);
        assert_eq!(
            records[0].1.location,
            Location::Pointer("/data/items/0".into())
        );
        let message = unreadable(&json_profile(Some("records")), text.as_bytes());
        assert!(
            message.contains("no records array at \"records\""),
            "{message}"
        );
    }

    #[test]
    fn broken_json_is_unreadable() {
        let message = unreadable(
            &json_profile(None),
            format!("[{ONE},\n{{\"id\": ").as_bytes(),
        );
        assert!(
            message.starts_with("input.csv:line 2: not valid JSON"),
            "{message}"
        );
        assert!(unreadable(&json_profile(None), b"").contains("empty"));
        assert!(unreadable(&json_profile(None), b"id,name\n").contains("not JSON"));
    }
}

mod profile_errors {
    use super::*;

    fn error(toml: &str) -> String {
        match Profile::from_toml(toml, "mine.toml") {
            Err(e) => e.to_string(),
            Ok(p) => panic!("expected an error, got {p:?}"),
        }
    }

    const BASE: &str = "name = \"x\"\nkind = \"provisioning\"\n[columns]\nsystem = \"S\"\naccount = \"A\"\naction = \"Act\"\nat = \"T\"\noutcome = \"O\"\n";

    #[test]
    fn errors_name_file_line_and_key() {
        assert_eq!(
            error("name = \"x\"\nkind = \"tickets\"\n"),
            "mine.toml:2: kind: \"tickets\" is not a kind of input; use one of events, identities, approvals, provisioning, reconciliation, exceptions, activity, workers, review-campaigns, review-decisions, emergency-uses"
        );
        let message = error(&format!("{BASE}[values.action]\n\"Add\" = \"grnat\"\n"));
        assert!(message.starts_with("mine.toml:10: values.action.\"Add\": \"grnat\" is not a action; use one of create_account"), "{message}");
        let message = error(&format!("{BASE}colour = \"blue\"\n"));
        assert!(message.starts_with("mine.toml:9:"), "{message}");
        let message = error(&BASE.replace("[columns]", "timezone = \"Europe/Pariss\"\n[columns]"));
        assert!(
            message.starts_with("mine.toml:3: timezone: \"Europe/Pariss\" is not a time zone"),
            "{message}"
        );
        let message = error(&BASE.replace("[columns]", "timezone = \"+25:00\"\n[columns]"));
        assert!(
            message.starts_with("mine.toml:3: timezone: \"+25:00\" is not a UTC offset"),
            "{message}"
        );
        let message = error(&BASE.replace(
            "[columns]",
            "time_formats = [\"rfc3339\", \"dd/mm/yyyy\"]\n[columns]",
        ));
        assert!(
            message.starts_with("mine.toml:3: time_formats: \"dd/mm/yyyy\" is not a time format"),
            "{message}"
        );
        let message = error(&format!("{BASE}approver = \"B\"\n"));
        assert!(
            message.contains(
                "\"approver\" is not a field of provisioning input; its fields are system, account"
            ),
            "{message}"
        );
        let message = error(&BASE.replace("[columns]", "delimiter = \"::\"\n[columns]"));
        assert!(message.starts_with("mine.toml:3: delimiter:"), "{message}");
        let message = error(&BASE.replace("[columns]", "encoding = \"utf-16\"\n[columns]"));
        assert!(
            message.contains("encoding: \"utf-16\" is not supported"),
            "{message}"
        );
        let message = error(&format!("{BASE}[defaults]\noutcome = \"maybe\"\n"));
        assert!(
            message.starts_with("mine.toml:10: defaults.outcome: \"maybe\" is not a outcome"),
            "{message}"
        );
        let message = error("name = \"x\"\nkind = \"provisioning\"\n[columns\n");
        assert!(message.starts_with("mine.toml:3:"), "{message}");
    }

    #[test]
    fn required_fields_must_be_mapped_or_defaulted() {
        let message = error(&BASE.replace("at = \"T\"\n", ""));
        assert_eq!(
            message,
            "mine.toml: columns: a provisioning profile must map `at` to a column in [columns] or give it in [defaults]"
        );
        let defaulted =
            BASE.replace("outcome = \"O\"\n", "") + "[defaults]\noutcome = \"succeeded\"\n";
        assert!(Profile::from_toml(&defaulted, "mine.toml").is_ok());
    }

    #[test]
    fn headerless_profiles_need_column_numbers_and_json_rejects_csv_options() {
        let message = error(&BASE.replace("[columns]", "has_header = false\n[columns]"));
        assert!(message.contains("is not a column number"), "{message}");
        let message =
            error(&BASE.replace("[columns]", "json = true\ndelimiter = \";\"\n[columns]"));
        assert!(
            message.contains("delimiter: has no meaning with json = true"),
            "{message}"
        );
    }

    #[test]
    fn profiles_load_from_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("finance.toml");
        std::fs::write(&path, BASE).expect("write");
        let loaded = Profile::load(path.to_str().expect("utf-8 path")).expect("loads");
        assert_eq!(loaded.kind, InputKind::Provisioning);
        assert!(loaded.source_name.ends_with("finance.toml"));
        let missing = dir.path().join("absent.toml");
        assert!(matches!(
            Profile::load(missing.to_str().expect("utf-8")),
            Err(ProfileError::Io { .. })
        ));
    }
}

mod documentation {
    use super::*;

    #[test]
    fn every_profile_in_the_documentation_loads() {
        let path = format!(
            "{}/../../docs/import-profiles.md",
            env!("CARGO_MANIFEST_DIR")
        );
        let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let blocks: Vec<&str> = doc
            .split("```toml\n")
            .skip(1)
            .filter_map(|rest| rest.split("```").next())
            .collect();
        assert_eq!(
            blocks.len(),
            4,
            "the format example, the activity example and the two worked examples"
        );
        for block in blocks {
            if let Err(e) = Profile::from_toml(block, "docs/import-profiles.md") {
                panic!("{e}\n{block}");
            }
        }
    }
}

mod time_zones {
    use super::*;

    /// Reads `value` as the effective date of one HR row under `timezone`; the UTC instant
    /// must be `expected`.
    #[track_caller]
    fn check(timezone: &str, value: &str, expected: &str) {
        let hr = profile(&format!(
            r#"
            name = "hr"
            kind = "events"
            time_formats = ["%Y-%m-%d %H:%M", "%Y-%m-%d"]
            timezone = "{timezone}"
            [columns]
            identity = "Employee ID"
            event_type = "Event"
            effective_at = "Effective Date"
            [defaults]
            identity_kind = "employee"
            "#
        ));
        let text = format!("Employee ID,Event,Effective Date\nE1,leaver,{value}\n");
        let (records, summary) = ok(&hr, text.as_bytes());
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        match &records[..] {
            [(Record::LifecycleEvent(e), _)] => assert_eq!(
                e.effective_at,
                utc(expected),
                "{value} in {timezone} should be {expected}"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_leave_at_half_past_five_local_follows_daylight_saving() {
        // New York: EST (-05:00) in January, EDT (-04:00) in July.
        check(
            "America/New_York",
            "2024-01-15 17:30",
            "2024-01-15T22:30:00Z",
        );
        check(
            "America/New_York",
            "2024-07-15 17:30",
            "2024-07-15T21:30:00Z",
        );
        // Berlin: CET (+01:00) in January, CEST (+02:00) in July.
        check("Europe/Berlin", "2024-01-15 17:30", "2024-01-15T16:30:00Z");
        check("Europe/Berlin", "2024-07-15 17:30", "2024-07-15T15:30:00Z");
    }

    #[test]
    fn a_date_is_local_midnight_at_that_dates_offset() {
        check("America/New_York", "2024-01-15", "2024-01-15T05:00:00Z");
        check("America/New_York", "2024-07-15", "2024-07-15T04:00:00Z");
        check("Europe/Berlin", "2024-01-15", "2024-01-14T23:00:00Z");
        check("Europe/Berlin", "2024-07-15", "2024-07-14T22:00:00Z");
        // The change days themselves: midnight is before the change in both zones.
        check("America/New_York", "2024-03-10", "2024-03-10T05:00:00Z");
        check("America/New_York", "2024-11-03", "2024-11-03T04:00:00Z");
        check("Europe/Berlin", "2024-03-31", "2024-03-30T23:00:00Z");
        check("Europe/Berlin", "2024-10-27", "2024-10-26T22:00:00Z");
    }

    #[test]
    fn a_time_in_the_spring_forward_gap_moves_forward_by_the_gap() {
        // New York, 2024-03-10: 02:00 EST became 03:00 EDT; 02:30 does not exist and reads as
        // 03:30 EDT, the same instant as 03:30 itself.
        check(
            "America/New_York",
            "2024-03-10 01:59",
            "2024-03-10T06:59:00Z",
        );
        check(
            "America/New_York",
            "2024-03-10 02:00",
            "2024-03-10T07:00:00Z",
        );
        check(
            "America/New_York",
            "2024-03-10 02:30",
            "2024-03-10T07:30:00Z",
        );
        check(
            "America/New_York",
            "2024-03-10 03:30",
            "2024-03-10T07:30:00Z",
        );
        // Berlin, 2024-03-31: 02:00 CET became 03:00 CEST; 02:30 reads as 03:30 CEST.
        check("Europe/Berlin", "2024-03-31 01:59", "2024-03-31T00:59:00Z");
        check("Europe/Berlin", "2024-03-31 02:30", "2024-03-31T01:30:00Z");
        check("Europe/Berlin", "2024-03-31 03:30", "2024-03-31T01:30:00Z");
    }

    #[test]
    fn a_time_in_the_repeated_fall_back_hour_is_its_first_occurrence() {
        // New York, 2024-11-03: 02:00 EDT became 01:00 EST; 01:30 happened twice and reads as
        // the first time, 01:30 EDT.
        check(
            "America/New_York",
            "2024-11-03 00:59",
            "2024-11-03T04:59:00Z",
        );
        check(
            "America/New_York",
            "2024-11-03 01:00",
            "2024-11-03T05:00:00Z",
        );
        check(
            "America/New_York",
            "2024-11-03 01:30",
            "2024-11-03T05:30:00Z",
        );
        check(
            "America/New_York",
            "2024-11-03 02:00",
            "2024-11-03T07:00:00Z",
        );
        // Berlin, 2024-10-27: 03:00 CEST became 02:00 CET; 02:30 reads as 02:30 CEST.
        check("Europe/Berlin", "2024-10-27 02:30", "2024-10-27T00:30:00Z");
        check("Europe/Berlin", "2024-10-27 03:00", "2024-10-27T02:00:00Z");
    }

    #[test]
    fn fixed_offsets_stay_fixed_all_year() {
        check("-05:00", "2024-01-15 17:30", "2024-01-15T22:30:00Z");
        check("-05:00", "2024-07-15 17:30", "2024-07-15T22:30:00Z");
        check("+01:00", "2024-07-15", "2024-07-14T23:00:00Z");
        check("-0530", "2024-03-10 02:30", "2024-03-10T08:00:00Z");
        check("UTC", "2024-11-03 01:30", "2024-11-03T01:30:00Z");
        check("europe/berlin", "2024-07-15 17:30", "2024-07-15T15:30:00Z");
    }

    #[test]
    fn defaults_and_other_time_fields_use_the_zone_too() {
        let hr = profile(
            r#"
            name = "hr"
            kind = "events"
            time_formats = ["%m/%d/%Y %H:%M", "%m/%d/%Y"]
            timezone = "America/New_York"
            [columns]
            identity = "Employee ID"
            ends_at = "Contract End"
            [defaults]
            identity_kind = "contractor"
            event_type = "joiner"
            effective_at = "07/01/2024 09:00"
            "#,
        );
        let (records, _) = ok(&hr, b"Employee ID,Contract End\nC1,12/31/2024\n");
        match &records[0].0 {
            Record::LifecycleEvent(e) => {
                assert_eq!(e.effective_at, utc("2024-07-01T13:00:00Z"));
                assert_eq!(e.attributes.ends_at, Some(utc("2024-12-31T05:00:00Z")));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unknown_zone_names_the_file_line_and_key() {
        let text = "# HR extract\nname = \"hr\"\nkind = \"events\"\ndescription = \"Workday\"\n\
                    delimiter = \",\"\ntime_formats = [\"%m/%d/%Y\"]\ntimezone = \"America/Nowhere\"\n";
        match Profile::from_toml(text, "hr.toml") {
            Err(e) => assert_eq!(
                e.to_string(),
                "hr.toml:7: timezone: \"America/Nowhere\" is not a time zone: use an IANA name such as \"America/New_York\" or a fixed offset such as \"-05:00\""
            ),
            Ok(p) => panic!("expected an error, got {p:?}"),
        }
    }

    #[test]
    fn the_compiled_in_tz_database_is_the_documented_release() {
        let doc = std::fs::read_to_string(format!(
            "{}/../../docs/import-profiles.md",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("docs/import-profiles.md");
        let release = format!("IANA tz database release {}", chrono_tz::IANA_TZDB_VERSION);
        assert!(
            doc.contains(&release),
            "docs/import-profiles.md must name the compiled-in \"{release}\""
        );
    }
}

mod activity {
    use super::*;
    use evidentia_domain::{ActivityChannel, ActivitySummary};
    use evidentia_import::{ActivityCapture, Format};

    /// Imports through `evidentia_import::import`, which delivers the activity summaries.
    fn summaries(
        profile: &Profile,
        text: &str,
        capture: ActivityCapture,
    ) -> (Vec<ActivitySummary>, ImportSummary) {
        let mut ctx = ImportContext::new("logins.csv");
        ctx.profile = Some(profile.clone());
        ctx.activity = capture;
        let mut records: Vec<(Record, Origin)> = Vec::new();
        let summary = evidentia_import::import(
            Format::Csv,
            &mut text.as_bytes(),
            &ctx,
            &mut records,
            &mut |_| {},
        )
        .unwrap_or_else(|e| panic!("import failed: {e}"));
        let activity = records
            .into_iter()
            .map(|(r, _)| match r {
                Record::Activity(a) => a,
                other => panic!("expected activity, got {other:?}"),
            })
            .collect();
        (activity, summary)
    }

    /// An in-house application's login report: who, when, whether it worked, from where.
    fn login_report() -> Profile {
        profile(
            r#"
            name = "payroll-logins"
            kind = "activity"
            time_formats = ["%Y-%m-%d %H:%M:%S"]
            timezone = "Europe/Berlin"
            [columns]
            account = "User"
            at = "Login Time"
            outcome = "Result"
            client = "Client"
            source_event_id = "Session"
            [values.outcome]
            "OK" = "succeeded"
            "Wrong password" = "failed"
            "Locked" = "failed"
            [defaults]
            system = "payroll"
            "#,
        )
    }

    const REPORT: &str = "User,Login Time,Result,Client,Session\n\
        alice,2024-07-01 09:00:00,OK,Chrome,S-1\n\
        alice,2024-07-03 17:30:00,OK,Firefox,S-2\n\
        bob,2024-07-02 08:00:00,Wrong password,Chrome,S-3\n\
        alice,2024-07-02 12:00:00,OK,Chrome,S-4\n\
        ,2024-07-02 12:00:00,OK,Chrome,S-5\n\
        carol,yesterday,OK,Chrome,S-6\n";

    #[test]
    fn a_login_report_becomes_one_summary_per_account_and_outcome() {
        let (activity, summary) = summaries(&login_report(), REPORT, ActivityCapture::All);
        assert_eq!(summary.rows, 6, "bad rows still count as rows");
        assert_eq!(
            diagnostics(&summary),
            [
                "logins.csv:line 6: column \"User\" is empty but account is required",
                "logins.csv:line 7: column \"Login Time\": \"yesterday\" is not a date in format %Y-%m-%d %H:%M:%S"
            ]
        );
        let shown: Vec<_> = activity
            .iter()
            .map(|a| (a.account.as_str(), a.outcome, a.count))
            .collect();
        assert_eq!(
            shown,
            [
                ("alice", Outcome::Succeeded, 3),
                ("bob", Outcome::Failed, 1)
            ]
        );
        let alice = &activity[0];
        assert_eq!(alice.system.as_str(), "payroll");
        assert_eq!(alice.channel, ActivityChannel::SignIn);
        assert!(
            alice.interactive,
            "sign-ins are a person's unless the file says otherwise"
        );
        assert_eq!(alice.event_types, ["sign-in"]);
        assert_eq!(alice.clients, ["Chrome", "Firefox"]);
        // 09:00 CEST is 07:00 UTC; 17:30 CEST is 15:30 UTC.
        assert_eq!(alice.first.at, utc("2024-07-01T07:00:00Z"));
        assert_eq!(alice.first.location, "line 2");
        assert_eq!(alice.first.source_event_id.as_deref(), Some("S-1"));
        assert_eq!(alice.last.at, utc("2024-07-03T15:30:00Z"));
        assert_eq!(alice.last.location, "line 3");
        assert_eq!(alice.days[0].to_string(), "2024-07-01/2024-07-03");
        assert_eq!(summary.records.values().sum::<u64>(), 2);
    }

    #[test]
    fn every_field_can_come_from_the_file() {
        let vpn = profile(
            r#"
            name = "vpn"
            kind = "activity"
            json = true
            [columns]
            system = "gateway"
            account = "user"
            at = "ts"
            event_type = "event"
            outcome = "status"
            interactive = "human"
            channel = "kind"
            [values.channel]
            "tunnel" = "sign_in"
            "token" = "api_call"
            [values.event_type]
            "keepalive" = "skip"
            "#,
        );
        let text = r#"{"gateway":"vpn-eu","user":"svc-backup","ts":"2024-03-01T10:00:00Z","event":"connect","status":"failed","human":false,"kind":"token"}
{"gateway":"vpn-eu","user":"svc-backup","ts":"2024-03-01T10:05:00Z","event":"keepalive"}
{"gateway":"vpn-eu","user":"dave","ts":"2024-03-01T11:00:00Z","event":"connect","status":"queued"}
{"gateway":"vpn-eu","user":"erin","ts":"2024-03-01T12:00:00Z","kind":"last_used"}
"#;
        let (activity, summary) = summaries(&vpn, text, ActivityCapture::All);
        assert_eq!(summary.skipped.get("keepalive"), Some(&1));
        assert_eq!(summary.diagnostics.len(), 1, "{:?}", diagnostics(&summary));
        assert!(
            summary.diagnostics[0].reason.starts_with(
                "field \"status\": \"queued\" is not a known outcome; accepted: succeeded, failed"
            ),
            "{}",
            summary.diagnostics[0].reason
        );
        let shown: Vec<_> = activity
            .iter()
            .map(|a| {
                (
                    a.system.as_str(),
                    a.account.as_str(),
                    a.channel,
                    a.interactive,
                    a.outcome,
                    a.event_types
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "vpn-eu",
                    "erin",
                    ActivityChannel::LastUsed,
                    true,
                    Outcome::Succeeded,
                    vec!["sign-in".to_owned()]
                ),
                (
                    "vpn-eu",
                    "svc-backup",
                    ActivityChannel::ApiCall,
                    false,
                    Outcome::Failed,
                    vec!["connect".to_owned()]
                ),
            ]
        );
    }

    #[test]
    fn the_activity_level_decides_what_is_kept() {
        let (activity, summary) = summaries(&login_report(), REPORT, ActivityCapture::None);
        assert!(activity.is_empty());
        assert_eq!(
            summary.skipped.get(&evidentia_import::skip_key(
                "sign-in",
                evidentia_import::ACTIVITY_NOT_CAPTURED
            )),
            Some(&4)
        );
        let api = profile(
            r#"
            name = "api-log"
            kind = "activity"
            [columns]
            account = "Key"
            at = "At"
            [defaults]
            system = "billing"
            channel = "api_call"
            interactive = "no"
            event_type = "api request"
            "#,
        );
        let text = "Key,At\nk-1,2024-03-01T10:00:00Z\n";
        let (activity, summary) = summaries(&api, text, ActivityCapture::SignIns);
        assert!(activity.is_empty());
        assert_eq!(
            summary.skipped.get(&evidentia_import::skip_key(
                "api request",
                evidentia_import::ACTIVITY_NOT_CAPTURED
            )),
            Some(&1)
        );
        let (activity, _) = summaries(&api, text, ActivityCapture::All);
        assert_eq!(activity.len(), 1);
        assert!(!activity[0].interactive);
    }

    #[test]
    fn the_documented_login_report_gives_what_the_documentation_says() {
        let path = format!(
            "{}/../../docs/import-profiles.md",
            env!("CARGO_MANIFEST_DIR")
        );
        let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let example = doc
            .split("An in-house payroll application's login report")
            .nth(1)
            .expect("the activity example");
        let mut blocks = example.split("```").skip(1).step_by(2);
        let (file, toml) = (
            blocks.next().expect("the file"),
            blocks.next().expect("the profile"),
        );
        let logins = profile(toml.trim_start_matches("toml"));
        let (activity, summary) = summaries(&logins, file.trim_start(), ActivityCapture::All);
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        assert_eq!(summary.skipped.get("logout"), Some(&1));
        let shown: Vec<_> = activity
            .iter()
            .map(|a| (a.account.as_str(), a.interactive, a.outcome, a.count))
            .collect();
        assert_eq!(
            shown,
            [
                ("alice.martin", true, Outcome::Succeeded, 1),
                ("bob.king", true, Outcome::Failed, 1),
                ("svc-payroll-sync", false, Outcome::Succeeded, 1),
            ]
        );
        assert_eq!(activity[0].first.at, utc("2024-07-01T07:00:12Z"));
        assert_eq!(activity[0].event_types, ["password"]);
    }

    #[test]
    fn activity_profiles_are_checked_when_they_load() {
        let error = |toml: &str| match Profile::from_toml(toml, "logins.toml") {
            Err(e) => e.to_string(),
            Ok(p) => panic!("expected an error, got {p:?}"),
        };
        let base = "name = \"x\"\nkind = \"activity\"\n[columns]\naccount = \"User\"\n";
        assert_eq!(
            error(base),
            "logins.toml: columns: a activity profile must map `at` to a column in [columns] or give it in [defaults]"
        );
        let with_at = format!("{base}at = \"When\"\n");
        assert_eq!(
            error(&format!("{with_at}[defaults]\noutcome = \"queued\"\n")),
            "logins.toml:7: defaults.outcome: \"queued\" is not a outcome; use one of succeeded, failed"
        );
        assert!(
            error(&format!("{with_at}[values.channel]\n\"web\" = \"browser\"\n"))
                .starts_with("logins.toml:7: values.channel.\"web\": \"browser\" is not a channel; use one of sign_in, api_call, last_used")
        );
        assert!(
            error(&format!("{with_at}action = \"Action\"\n"))
                .contains("its fields are system, account, at, event_type, outcome, interactive, client, source_event_id, channel")
        );
        assert_eq!(
            profile(&with_at).kind,
            InputKind::Activity,
            "system may come from the import"
        );
    }

    #[test]
    fn without_a_system_the_file_is_refused() {
        let logins = profile(
            "name = \"x\"\nkind = \"activity\"\n[columns]\naccount = \"User\"\nat = \"When\"\n",
        );
        let message = unreadable(&logins, b"User,When\na,2024-03-01T10:00:00Z\n");
        assert!(
            message.contains("maps no system column and gives no default system"),
            "{message}"
        );
    }
}

mod catalog_entitlements {
    use super::*;

    /// The `entitlements` the built-in `nhi-catalog` profile reads from `header` and `cell`.
    #[track_caller]
    fn check(header: &str, cell: &str, expected: &[&str]) {
        let text = format!(
            "Change ID,NHI ID,Type,Event,Event Date,System,{header}\n\
             CHG-1,svc-etl,Service Account,Created,2024-01-10T08:00:00Z,finance-app,{cell}\n"
        );
        let (records, summary) = ok(&builtin("nhi-catalog"), text.as_bytes());
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        match &records[..] {
            [(Record::LifecycleEvent(e), _)] => {
                assert_eq!(e.attributes.entitlements, expected, "{header}: {cell}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_catalog_lists_what_each_nhi_may_hold() {
        check("Entitlements", "GL-Reader", &["GL-Reader"]);
        check(
            "Entitlements",
            "\"GL-Reader; aws:arn:aws:iam::aws:policy/ReadOnlyAccess\"",
            &["GL-Reader", "aws:arn:aws:iam::aws:policy/ReadOnlyAccess"],
        );
        check(
            "Authorised Access",
            "\"okta:Payroll Sync\nGL-Writer\"",
            &["okta:Payroll Sync", "GL-Writer"],
        );
        check("entitlements", "", &[]);
        check("Notes", "anything", &[]);
    }

    #[test]
    fn a_semicolon_separated_catalog_quotes_the_list() {
        let (records, summary) = ok(
            &builtin("nhi-catalog"),
            &data("nhi-catalog-entitlements.csv"),
        );
        assert!(
            summary.diagnostics.is_empty(),
            "{:?}",
            diagnostics(&summary)
        );
        let lists: Vec<Vec<String>> = records
            .iter()
            .map(|(r, _)| match r {
                Record::LifecycleEvent(e) => e.attributes.entitlements.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            lists,
            [
                vec!["payroll-writer".to_owned(), "okta:Payroll Sync".to_owned()],
                vec!["aws:deploy".to_owned()],
                vec![],
            ]
        );
    }
}

/// What a new user converting a client's files needed (evidence-samples/harbor/CONVERSION.md):
/// value maps on list items, aliases on lifecycle events, credential rows in snapshots.
mod conversion_needs {
    use super::*;

    #[test]
    fn list_items_pass_through_the_value_map_and_skip_drops_an_item() {
        let p = profile(
            r#"name = "register"
kind = "events"
time_formats = ["%Y-%m-%d"]
[columns]
identity = "Id"
identity_kind = "Type"
event_type = "Event"
effective_at = "Date"
entitlements = "Access"
aliases = "Account"
[values.entitlements]
"aws:(account)" = "aws:account"
"legacy" = "skip"
[values.event_type]
"Created" = "nhi_created"
"#,
        );
        let (records, summary) = ok(
            &p,
            b"Id,Type,Event,Date,Access,Account\n\
              NHI-1,service_account,Created,2025-01-02,aws:(account); aws:ReadOnly; legacy,svc-backup\n\
              NHI-2,service_account,Created,2025-01-02,legacy,svc-two\n",
        );
        assert_eq!(diagnostics(&summary), Vec::<String>::new());
        let events: Vec<_> = records
            .iter()
            .map(|(r, _)| match r {
                Record::LifecycleEvent(e) => e,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            events.len(),
            2,
            "an item mapped to skip never skips the row"
        );
        assert_eq!(
            events[0].attributes.entitlements,
            ["aws:account", "aws:ReadOnly"]
        );
        assert_eq!(events[0].attributes.aliases, ["svc-backup"]);
        assert!(events[1].attributes.entitlements.is_empty());
    }

    #[test]
    fn snapshot_rows_can_say_they_are_credentials() {
        let p = profile(
            r#"name = "iam"
kind = "reconciliation"
time_formats = ["rfc3339"]
[columns]
as_of = "At"
account = "User"
entitlement = "Access"
status = "State"
credential = "Type"
[values.credential]
"access_key" = "yes"
"group" = "no"
"user" = "no"
[values.status]
"active" = "expected_present"
[defaults]
system = "aws"
"#,
        );
        let (records, summary) = ok(
            &p,
            b"At,User,Access,State,Type\n\
              2025-01-31T18:00:00Z,dana,AKIAEXAMPLE,active,access_key\n\
              2025-01-31T18:00:00Z,dana,Developers,active,group\n",
        );
        assert_eq!(diagnostics(&summary), Vec::<String>::new());
        let flags: Vec<bool> = records
            .iter()
            .map(|(r, _)| match r {
                Record::Reconciliation(r) => r.credential,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(flags, [true, false]);
    }

    #[test]
    fn a_key_report_says_when_keys_were_created_revoked_and_never_used() {
        let p = profile(
            r#"name = "keys"
kind = "reconciliation"
time_formats = ["%d/%m/%Y %H:%M"]
timezone = "Europe/London"
[columns]
as_of = "At"
account = "Owner"
entitlement = "Key ID"
status = "Status"
credential = "Type"
created_at = "Created"
revoked_at = "Revoked"
last_used_at = "Last Used"
[values.credential]
"Personal" = "yes"
[values.status]
"Active" = "expected_present"
"Revoked" = "disabled"
[values.last_used_at]
"Never" = "never"
"n/a" = ""
[defaults]
system = "caredesk"
"#,
        );
        let (records, summary) = ok(
            &p,
            b"At,Owner,Key ID,Status,Type,Created,Revoked,Last Used\n\
              31/12/2025 17:50,ann,AK-1,Active,Personal,01/08/2025 09:00,,Never\n\
              31/12/2025 17:50,bob,AK-2,Revoked,Personal,01/06/2025 09:00,02/12/2025 09:30,n/a\n\
              31/12/2025 17:50,cy,AK-3,Active,Personal,,,01/07/2025 10:00\n",
        );
        assert_eq!(diagnostics(&summary), Vec::<String>::new());
        let rows: Vec<_> = records
            .iter()
            .map(|(r, _)| match r {
                Record::Reconciliation(r) => {
                    (r.created_at, r.revoked_at, r.never_used, r.last_used_at)
                }
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            rows,
            [
                (Some(utc("2025-08-01T08:00:00Z")), None, true, None),
                (
                    Some(utc("2025-06-01T08:00:00Z")),
                    Some(utc("2025-12-02T09:30:00Z")),
                    false,
                    None
                ),
                (None, None, false, Some(utc("2025-07-01T09:00:00Z"))),
            ]
        );
        // "never" is a last-used word only; other time fields map to "" (no time) at most.
        let bad = Profile::from_toml(
            &p_toml_with("[values.created_at]\n\"unknown\" = \"never\"\n"),
            "mine.toml",
        )
        .map(|_| ())
        .unwrap_err()
        .to_string();
        assert!(
            bad.contains("a time field's value map writes \"\" (no time)"),
            "{bad}"
        );
    }

    /// A key report names personal keys by their owner and integration keys by their name,
    /// writing `(practice)` as the owner of the latter: mapped to `""`, the placeholder reads
    /// as an empty cell, so the account falls back to the next column (CSV and JSON alike),
    /// and an optional field mapped to `""` reads as absent, not as an empty name.
    #[test]
    fn a_placeholder_mapped_to_nothing_falls_back_to_the_next_column() {
        let toml = |json: &str| {
            format!(
                r#"name = "keys"
kind = "reconciliation"
{json}[columns]
as_of = "At"
account = ["Owner", "Key Name"]
entitlement = "Key ID"
status = "Status"
identity = "Person"
[values.account]
"(practice)" = ""
[values.identity]
"n/a" = ""
[values.status]
"Active" = "expected_present"
[defaults]
system = "caredesk"
"#
            )
        };
        let csv = ok(
            &profile(&toml("")),
            b"At,Owner,Key Name,Key ID,Status,Person
              2025-12-31T17:50:00Z,rajesh.iyer,month-end-excel,AK-1,Active,E1001
              2025-12-31T17:50:00Z,(practice),booking-sync,AK-2,Active,n/a
              2025-12-31T17:50:00Z,(PRACTICE),,AK-3,Active,
",
        );
        let json = ok(
            &profile(&toml("json = true
")),
            br#"[{"At":"2025-12-31T17:50:00Z","Owner":"rajesh.iyer","Key Name":"month-end-excel","Key ID":"AK-1","Status":"Active","Person":"E1001"},
{"At":"2025-12-31T17:50:00Z","Owner":"(practice)","Key Name":"booking-sync","Key ID":"AK-2","Status":"Active","Person":"n/a"},
{"At":"2025-12-31T17:50:00Z","Owner":"(PRACTICE)","Key Name":"","Key ID":"AK-3","Status":"Active","Person":""}]"#,
        );
        for (format, (records, summary)) in [("csv", csv), ("json", json)] {
            let rows: Vec<(String, Option<String>)> = records
                .iter()
                .map(|(r, _)| match r {
                    Record::Reconciliation(r) => (
                        r.account.to_string(),
                        r.identity.as_ref().map(ToString::to_string),
                    ),
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(
                rows,
                [
                    ("rajesh.iyer".to_owned(), Some("E1001".to_owned())),
                    ("booking-sync".to_owned(), None),
                ],
                "{format}"
            );
            // With nothing to fall back on, the row says which column was empty.
            let said = diagnostics(&summary);
            assert_eq!(said.len(), 1, "{format}: {said:?}");
            assert!(
                said[0].contains("required") && said[0].contains("account"),
                "{format}: {said:?}"
            );
        }
    }

    #[test]
    fn a_last_use_after_the_listing_is_kept_with_a_warning_naming_its_line() {
        let p = profile(
            r#"name = "keys"
kind = "reconciliation"
time_formats = ["%d/%m/%Y %H:%M"]
[columns]
as_of = "At"
account = "Owner"
entitlement = "Key ID"
status = "Status"
last_used_at = "Last Used"
[values.status]
"Active" = "expected_present"
[defaults]
system = "caredesk"
credential = "yes"
"#,
        );
        let (records, summary) = ok(
            &p,
            b"At,Owner,Key ID,Status,Last Used\n\
              31/12/2025 17:50,ann,AK-1,Active,30/12/2025 10:00\n\
              31/12/2025 17:50,bob,AK-2,Active,01/03/2026 10:00\n",
        );
        assert_eq!(
            records.len(),
            2,
            "both rows are kept as the file states them"
        );
        assert_eq!(
            summary
                .warnings
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>(),
            [
                "input.csv:line 3: AK-2 on caredesk: its last-used date 2026-03-01 10:00 UTC is after the listing's own time 2025-12-31 17:50 UTC; check the file's time zone and date format"
            ]
        );
    }

    fn p_toml_with(extra: &str) -> String {
        format!(
            "name = \"keys\"\nkind = \"reconciliation\"\n[columns]\nas_of = \"At\"\naccount = \"Owner\"\nstatus = \"Status\"\ncreated_at = \"Created\"\n{extra}"
        )
    }

    #[test]
    fn an_empty_first_alternative_falls_back_to_the_next_column_per_row() {
        let p = profile(
            r#"name = "members"
kind = "reconciliation"
time_formats = ["rfc3339"]
[columns]
as_of = "At"
account = ["UPN", "DisplayName"]
entitlement = "Group"
status = "State"
[values.status]
"Member" = "expected_present"
[defaults]
system = "entra-id"
"#,
        );
        let (records, summary) = ok(
            &p,
            b"At,UPN,DisplayName,Group,State
              2025-12-31T09:00:00Z,ann@x.example,Ann,Staff,Member
              2025-12-31T09:00:00Z,,payments-connector,Staff,Member
",
        );
        assert_eq!(diagnostics(&summary), Vec::<String>::new());
        let accounts: Vec<String> = records
            .iter()
            .map(|(r, _)| match r {
                Record::Reconciliation(r) => r.account.to_string(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(accounts, ["ann@x.example", "payments-connector"]);
    }

    #[test]
    fn a_request_to_remove_access_is_marked() {
        let p = profile(
            r#"name = "tickets"
kind = "approvals"
time_formats = ["rfc3339"]
[columns]
id = "Number"
subject = "For"
entitlement = "Item"
system = "System"
approver = "Approver"
approver_role = "Role"
decision = "State"
decided_at = "At"
tier = "Tier"
removal = "Request Type"
[values.removal]
"Grant" = "no"
"Remove" = "yes"
"#,
        );
        let (records, summary) = ok(
            &p,
            b"Number,For,Item,System,Approver,Role,State,At,Tier,Request Type
              R1,E1,Admins,aws,M1,manager,approved,2025-08-01T10:00:00Z,standard,Remove
              R2,E1,Readers,aws,M1,manager,approved,2025-08-01T10:00:00Z,standard,Grant
",
        );
        assert_eq!(diagnostics(&summary), Vec::<String>::new());
        let removal: Vec<bool> = records
            .iter()
            .map(|(r, _)| match r {
                Record::Approval(a) => a.removal,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(removal, [true, false]);
    }

    #[test]
    fn a_renewal_history_in_the_registers_own_words() {
        let p = profile(
            r#"name = "register"
kind = "exceptions"
time_formats = ["%d/%m/%Y %H:%M", "%d/%m/%Y"]
timezone = "Europe/London"
renewal_format = "{approved_at}: renewed by {approver} until {expires_at}"
[columns]
id = "ID"
tier = "Tier"
granted_at = "Approved On"
expires_at = "Expires On"
reapprovals = "Renewal History"
[values.approver]
"H. Ashworth" = "helen.ashworth@x.example"
"#,
        );
        let (records, summary) = ok(
            &p,
            b"ID,Tier,Approved On,Expires On,Renewal History
              EXC-10,Elevated,07/07/2025 09:00,04/09/2025,01/09/2025: renewed by H. Ashworth until 28/02/2026
              EXC-11,Standard,10/07/2025 09:00,30/09/2025,renewed in September
",
        );
        assert_eq!(
            diagnostics(&summary),
            [
                "input.csv:line 3: column \"Renewal History\": renewal \"renewed in September\" is not written the profile's renewal_format"
            ]
        );
        let Record::Exception(e) = &records[0].0 else {
            panic!("not an exception")
        };
        assert_eq!(e.reapprovals.len(), 1);
        let r = &e.reapprovals[0];
        assert_eq!(r.approved_by.as_str(), "helen.ashworth@x.example");
        assert_eq!(
            r.approved_at,
            utc("2025-08-31T23:00:00Z"),
            "01/09/2025 is BST midnight"
        );
        assert_eq!(r.expires_at, Some(utc("2026-02-28T23:59:59Z")));
    }

    #[test]
    fn a_renewal_format_without_the_approver_is_refused_when_the_profile_loads() {
        let err = Profile::from_toml(
            "name = \"x\"\nkind = \"exceptions\"\nrenewal_format = \"{approved_at} until {expires_at}\"\n[columns]\nid = \"ID\"\ntier = \"T\"\ngranted_at = \"G\"\n",
            "mine.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("mine.toml:3: renewal_format"), "{err}");
        assert!(err.contains("{approver}"), "{err}");
    }

    #[test]
    fn roles_listed_in_one_cell_become_one_row_each() {
        let p = profile(
            r#"name = "roles"
kind = "reconciliation"
time_formats = ["rfc3339"]
list_separator = ","
[columns]
as_of = "At"
account = "User"
entitlements = "Roles"
status = "State"
[values.status]
"Active" = "expected_present"
[defaults]
system = "pm"
"#,
        );
        let (records, summary) = ok(
            &p,
            b"At,User,Roles,State
              2025-09-30T16:45:00Z,fc01,\"BILLING, REPORTS_RO\",Active
              2025-09-30T16:45:00Z,fc02,,Active
",
        );
        assert_eq!(diagnostics(&summary), Vec::<String>::new());
        let rows: Vec<(String, Option<String>)> = records
            .iter()
            .map(|(r, _)| match r {
                Record::Reconciliation(r) => (
                    r.account.to_string(),
                    r.entitlement.as_deref().map(str::to_owned),
                ),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("fc01".into(), Some("BILLING".into())),
                ("fc01".into(), Some("REPORTS_RO".into())),
                ("fc02".into(), None),
            ]
        );
        assert_eq!(lines(&records), [2, 2, 3]);
    }
}

/// A roster (one row per person or NHI, hire and termination dates in columns), the shape many
/// HR and catalog exports have: each row becomes its joiner and, when ended, its leaver.
mod workers_roster {
    use super::*;
    use evidentia_domain::LifecycleEventType;

    #[test]
    fn a_row_gives_its_joiner_and_its_leaver_or_the_identity_as_it_stands() {
        let p = profile(
            r#"name = "roster"
kind = "workers"
time_formats = ["%m/%d/%Y"]
timezone = "America/Chicago"
[columns]
identity = "Employee ID"
identity_kind = "Type"
email = "Email"
role = "Job Code"
started_at = "Hire Date"
ended_at = "Termination Date"
[values.identity_kind]
"Regular" = "employee"
"Service" = "service_account"
"#,
        );
        let (records, summary) = ok(
            &p,
            b"Employee ID,Type,Email,Job Code,Hire Date,Termination Date\n\
              E1,Regular,e1@x.example,ENG,01/06/2020,03/14/2025\n\
              E2,Regular,e2@x.example,OPS,02/01/2021,\n\
              S1,Service,,,,\n\
              E3,Regular,e3@x.example,OPS,05/01/2025,04/01/2025\n",
        );
        assert_eq!(
            diagnostics(&summary),
            ["input.csv:line 5: the end date is before the start date"]
        );
        let events: Vec<(String, LifecycleEventType, String)> = records
            .iter()
            .filter_map(|(r, _)| match r {
                Record::LifecycleEvent(e) => Some((
                    e.identity.to_string(),
                    e.event_type,
                    e.effective_at.to_rfc3339(),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            events,
            [
                (
                    "E1".into(),
                    LifecycleEventType::Joiner,
                    "2020-01-06T06:00:00+00:00".into()
                ),
                (
                    "E1".into(),
                    LifecycleEventType::Leaver,
                    "2025-03-14T05:00:00+00:00".into()
                ),
                (
                    "E2".into(),
                    LifecycleEventType::Joiner,
                    "2021-02-01T06:00:00+00:00".into()
                ),
            ]
        );
        assert!(
            records
                .iter()
                .any(|(r, _)| matches!(r, Record::Identity(i) if i.id.as_str() == "S1")),
            "a row with no dates is the identity as it stands"
        );
        assert_eq!(lines(&records), [2, 2, 3, 4]);
    }
}
