//! The renderer on models no sample organisation has: hostile evidence strings, thousands of
//! findings, empty sections. Read back with poppler (pdftotext, its word boxes) and qpdf.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod appendix;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{NaiveDate, TimeZone, Utc};
use evidentia_report::{
    ArtifactLine, Completeness, ControlLine, CredentialFigures, EvidenceClass, ExceptionLine,
    FindingLine, Framework, LedgerHead, NotAssessedLine, ReportModel, ReviewLine, RevokeLine,
    Scope, Severity, Status, SystemScope, render,
};

fn tool(name: &str) -> PathBuf {
    let path = Path::new("/usr/bin").join(name);
    assert!(
        path.exists(),
        "{name} is not installed: these tests read the PDF with poppler-utils and qpdf; \
         `make test` installs them (APT_PACKAGES in the Makefile), or run \
         `apt-get install poppler-utils qpdf`"
    );
    path
}

/// Writes the PDF to a temp file and runs `name args... FILE ...rest`.
fn read_with(bytes: &[u8], name: &str, args: &[&str], rest: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.pdf");
    std::fs::write(&file, bytes).unwrap();
    let output = Command::new(tool(name))
        .args(args)
        .arg(&file)
        .args(rest)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn text(bytes: &[u8]) -> String {
    read_with(bytes, "pdftotext", &[], &["-"])
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn model(findings: usize) -> ReportModel {
    let controls = (1..=30)
        .map(|i| ControlLine {
            id: format!("PR.AA-{i:02}"),
            text: format!("Control statement number {i}, long enough to wrap onto a second line of the statement column in the table"),
            groups: vec![
                ("PR".to_owned(), "PROTECT".to_owned()),
                (format!("PR.G{}", i / 10), format!("Group {}", i / 10)),
            ],
            status: [Status::Met, Status::Findings, Status::NotAssessed][i % 3],
            evidence: i * 100,
            findings: i % 3,
            missing: if i % 3 == 2 {
                vec!["activity (sign-ins, console logins, API calls or last-used dates)".to_owned()]
            } else {
                vec![]
            },
        })
        .collect();
    let findings = (0..findings)
        .map(|i| FindingLine {
            check: format!("EV-CHECK-{}", i % 7),
            severity: Severity::ALL[i % 4],
            summary: format!("finding number {i} about access that should have been removed"),
            identity: Some(format!("ID-{i:05}")),
            system: Some("aws".to_owned()),
            account: Some(format!("user{i}@example.com")),
            evidence: vec![i as u64 + 10, i as u64 + 20],
            evidence_rows: if i % 5 == 0 {
                vec![(i as u64 + 20, 3)]
            } else {
                Vec::new()
            },
            controls: vec!["PR.AA-01".to_owned(), "PR.AA-05".to_owned()],
            title: format!("Check title {}", i % 7),
            response: None,
        })
        .collect();
    ReportModel {
        organisation: "Example Org".to_owned(),
        framework: Framework {
            id: "test-fw".to_owned(),
            title: "Test Framework".to_owned(),
            version: "1".to_owned(),
            publisher: "Tests".to_owned(),
        },
        period_from: Some(date(2025, 1, 1)),
        period_to: Some(date(2025, 12, 31)),
        as_of: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        generated_at: Utc.with_ymd_and_hms(2026, 1, 2, 8, 0, 0).unwrap(),
        workspace_id: "0123456789abcdef".to_owned(),
        ledger: LedgerHead {
            entries: 12345,
            head_hash: "ab".repeat(32),
            checkpoint: None,
        },
        policy_entry: 7,
        policy_sha256: "cd".repeat(32),
        completeness: Completeness {
            complete_events: 90,
            events_with_chains: 100,
        },
        controls,
        findings,
        unmapped_findings: 2,
        reviews: vec![ReviewLine {
            campaign: "UAR-2025-Q2".to_owned(),
            name: Some("Quarterly privileged access review".to_owned()),
            started_at: Utc.with_ymd_and_hms(2025, 4, 1, 9, 0, 0).unwrap(),
            due_at: Utc.with_ymd_and_hms(2025, 4, 30, 17, 0, 0).unwrap(),
            closed_at: Some(Utc.with_ymd_and_hms(2025, 5, 2, 12, 0, 0).unwrap()),
            system: "okta".to_owned(),
            overdue: true,
            population: Some(120),
            decided: 117,
            decided_on_time: 110,
            revokes: 9,
            removed_on_time: 6,
            removed_late: 1,
            not_executed: 1,
            contradicted: 1,
        }],
        not_assessed: vec![NotAssessedLine {
            check: "EV-NHI-CREDENTIAL-STALE".to_owned(),
            title: "Stale NHI credential".to_owned(),
            identity: "NHI-005 (dispatch sync)".to_owned(),
            system: "okta".to_owned(),
            account: "dispatch-scim".to_owned(),
            credential: "00T046094739383a803f".to_owned(),
            reason: "no last-used date for it in any listing".to_owned(),
            evidence: vec![3],
        }],
        credentials: CredentialFigures {
            leaver_revoked: Some((3, 7)),
            credential_age: Some((4, 59.0, 76.0)),
            emergency_reviewed: None,
        },
        evidence_gaps: vec![
            "No activity (sign-ins, console logins, API calls or last-used dates) was imported: EV-ACTIVITY-AFTER-TERMINATION and EV-NHI-HUMAN-USE were not assessed.".to_owned(),
            "No reconciliation snapshot in the period: github.".to_owned(),
        ],
        exceptions: (0..12)
            .map(|i| ExceptionLine {
                id: format!("EXC-{i:03}"),
                subject: Some(format!("E{i}")),
                system: Some("okta".to_owned()),
                entitlement: Some("Admins".to_owned()),
                owner: (i % 4 != 0).then(|| "E1".to_owned()),
                granted: date(2025, 3, 1),
                expires: (i % 5 != 0).then(|| date(2026, 3, 1)),
                age_days: 30 * i,
                bucket: ["0-30", "31-60", "61-90", ">90", "expired"][i as usize % 5].to_owned(),
                expiring_soon: i % 3 == 0,
                seq: 100 + i as u64,
            })
            .collect(),
        exceptions_by_bucket: vec![
            ("0-30".to_owned(), 3),
            ("31-60".to_owned(), 3),
            ("61-90".to_owned(), 2),
            (">90".to_owned(), 2),
            ("expired".to_owned(), 2),
        ],
        time_to_revoke: vec![
            RevokeLine {
                system: "aws".to_owned(),
                count: 10,
                median_hours: 5.5,
                p95_hours: 30.0,
                sla_hours: Some(24.0),
                late: 2,
            },
            RevokeLine {
                system: "a-system-with-a-rather-long-name".to_owned(),
                count: 3,
                median_hours: 100.0,
                p95_hours: 480.0,
                sla_hours: None,
                late: 0,
            },
        ],
        artifacts: vec![ArtifactLine {
            seq: 3,
            file_name: "hr.csv".to_owned(),
            format: "csv".to_owned(),
            profile: Some("hr-extract".to_owned()),
            size: 12345,
            sha256: "ef".repeat(32),
        }],
        scope: Scope {
            nhi_only: false,
            systems: vec![SystemScope {
                system: "aws".to_owned(),
                log_records: 120,
                inventory_rows: 40,
                reviews: 1,
                revocation_sla: "24h".to_owned(),
            }],
            populations: vec![("leavers".to_owned(), 23), ("joiners".to_owned(), 40)],
            evidence: vec![
                EvidenceClass {
                    name: "approvals".to_owned(),
                    records: 300,
                    shows: "who authorised each grant".to_owned(),
                },
                EvidenceClass {
                    name: "activity".to_owned(),
                    records: 0,
                    shows: "whether access was used after departure".to_owned(),
                },
            ],
        },
    }
}

/// Every word poppler finds lies inside the page's margins (50 pt either side): nothing
/// overflows a column or the page.
fn assert_inside_margins(bytes: &[u8]) {
    let html = read_with(bytes, "pdftotext", &["-bbox"], &["-"]);
    let attr = |line: &str, name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let end = line[start..].find('"').unwrap() + start;
        line[start..end].parse().unwrap()
    };
    let mut words = 0;
    for line in html.lines().filter(|l| l.trim_start().starts_with("<word")) {
        words += 1;
        let (x0, x1) = (attr(line, "xMin"), attr(line, "xMax"));
        assert!(
            x0 >= 49.0 && x1 <= 595.28 - 49.0,
            "word outside the margins: {line}"
        );
    }
    assert!(words > 100, "poppler found the words ({words})");
}

#[test]
fn hostile_strings_are_drawn_safely() {
    let mut m = model(3);
    m.organisation = "Acme\u{202E}gnp.exe\u{202C} Ltd\u{0007}".to_owned();
    m.findings[0].summary =
        "left\u{2066}hidden\u{2069} with a bell\u{0007} and a tab\tand private x\u{E000}y and 漢"
            .to_owned();
    m.findings[1].account = Some("a".repeat(400));
    m.controls[0].text = "word ".repeat(800);
    let pdf = render(&m).unwrap();
    let t = text(&pdf.bytes);
    for bad in [
        '\u{202E}', '\u{202C}', '\u{2066}', '\u{2069}', '\u{0007}', '\u{E000}',
    ] {
        assert!(!t.contains(bad), "{:?} reached the page", bad);
    }
    assert!(
        t.contains("Acmegnp.exe Ltd"),
        "the name is kept, in stored order"
    );
    assert!(t.contains("lefthidden with a bell and a tab and private x?y and ?"));
    let check = read_with(&pdf.bytes, "qpdf", &["--check"], &[]);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{check}"
    );
    assert_inside_margins(&pdf.bytes);
}

#[test]
fn thousands_of_findings_are_all_listed_across_pages() {
    let n = 2500;
    let m = model(n);
    let pdf = render(&m).unwrap();
    let t = text(&pdf.bytes);
    for i in 0..n {
        assert!(
            t.contains(&format!("ID-{i:05}\n")) || t.contains(&format!("ID-{i:05} ")),
            "finding {i} missing"
        );
    }
    let pages: Vec<&str> = t.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(pages.len(), pdf.pages);
    assert!(pdf.pages > 50, "{} pages", pdf.pages);
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains(&format!("Page {} of {}", i + 1, pdf.pages)));
        assert!(page.contains("Example Org · Test Framework · 2025-01-01 to 2025-12-31"));
    }
    // A table that continues on a new page repeats its header row.
    let continued = pages
        .iter()
        .filter(|p| p.contains("Identity / system / account"))
        .count();
    assert!(continued > 40, "header rows repeated on {continued} pages");
    assert_inside_margins(&pdf.bytes);
}

#[test]
fn empty_sections_say_so() {
    let mut m = model(0);
    m.controls.clear();
    m.exceptions.clear();
    m.time_to_revoke.clear();
    m.reviews.clear();
    m.artifacts.clear();
    m.not_assessed.clear();
    m.credentials = CredentialFigures::default();
    m.period_from = None;
    let pdf = render(&m).unwrap();
    let t = text(&pdf.bytes);
    // With no evidence for them, all three credential figures read "not assessed", none 0 %.
    let section = t
        .split("Credentials and emergency access")
        .last()
        .unwrap_or_default();
    assert_eq!(section.matches("Not assessed").count(), 3, "{section}");
    assert!(!section.contains("0.0%"), "{section}");
    for needed in [
        "None: every item the checks examined was judged.",
        "No findings mapped to this framework in the period.",
        "No exceptions were recorded.",
        "No revocation was executed in the period.",
        "No access-review campaign was imported: the review checks were not assessed.",
        "No file was imported.",
        "first record to 2025-12-31",
    ] {
        assert!(t.contains(needed), "{needed:?} missing");
    }
}

#[test]
fn rendering_is_deterministic_and_dated_by_the_model() {
    let m = model(40);
    let a = render(&m).unwrap();
    let b = render(&m).unwrap();
    assert!(a == b, "same model, same bytes");
    let mut later = m.clone();
    later.generated_at = Utc.with_ymd_and_hms(2026, 1, 2, 8, 0, 1).unwrap();
    let c = render(&later).unwrap();
    assert!(a.bytes != c.bytes);
    let info = read_with(&a.bytes, "pdfinfo", &[], &[]);
    assert!(info.contains("Author:          Evidentia"), "{info}");
    assert!(
        info.contains("CreationDate:    Fri Jan  2 08:00:00 2026 UTC"),
        "{info}"
    );
}

#[test]
fn review_campaigns_show_population_coverage_and_revoke_outcomes() {
    let mut m = model(3);
    let mut unestablished = m.reviews[0].clone();
    unestablished.system = "github".to_owned();
    unestablished.population = None;
    m.reviews.push(unestablished);
    let pdf = render(&m).unwrap();
    if let Some(out) = std::env::var_os("EVIDENTIA_REPORT_SAMPLE") {
        std::fs::write(out, &pdf.bytes).unwrap();
    }
    let t = text(&pdf.bytes);
    for needed in [
        "Access reviews",
        "UAR-2025-Q2 — Quarterly privileged access review: started 2025-04-01 09:00:00 UTC, due",
        "closed 2025-05-02 12:00:00 UTC, after its due date.",
        // 117 of 120 decided, 110 of 120 by the due date.
        "97.5%",
        "91.7%",
        "established",
    ] {
        assert!(t.contains(needed), "{needed:?} missing from:\n{t}");
    }
}

#[test]
fn contents_outline_scope_and_responses_are_in_the_pdf() {
    use evidentia_report::ManagementResponse;
    let mut m = model(40);
    m.findings[0].response = Some(ManagementResponse {
        status: "remediating".to_owned(),
        owner: Some("Dana Ito (E1234)".to_owned()),
        due: Some(date(2026, 2, 1)),
        accepted_until: None,
        response: "Okta deprovisioning job repaired; accounts removed by hand".to_owned(),
        entry_seq: 4242,
        expired: false,
    });
    let pdf = render(&m).unwrap();
    let t = text(&pdf.bytes);
    for needle in [
        "Contents",
        "Scope and applicability",
        "Systems in scope",
        "Missing: activity — would have shown whether access was used after departure.",
        "Appendix B — Controls not assessed",
        "Appendix C — How to verify",
        "Okta deprovisioning job repaired",
        "entry 4242",
        "Management responses: 1 remediating",
        "The largest problems:",
        "in aws.",
        "sha256sum -c SHA256SUMS",
        "over SLA",
    ] {
        // Words, not lines: a sentence may wrap anywhere in its column.
        let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(needle), "{needle:?} missing");
    }
    assert!(
        !t.contains("docs/"),
        "the report points to no repository file"
    );
    // The outline names every section, and qpdf finds the file sound.
    let json = read_with(&pdf.bytes, "qpdf", &["--json", "--json-key=outlines"], &[]);
    for title in [
        "Executive summary",
        "Findings",
        "Appendix A — Evidence index",
    ] {
        assert!(json.contains(title), "{title} not in the outline: {json}");
    }
    let check = read_with(&pdf.bytes, "qpdf", &["--check"], &[]);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{check}"
    );
    // The contents page gives each section's page: "Findings" with a number on its line.
    let layout = read_with(&pdf.bytes, "pdftotext", &["-layout"], &["-"]);
    let contents = layout.split('\u{c}').nth(1).unwrap();
    assert!(
        contents
            .lines()
            .any(|l| l.trim_start().starts_with("Findings")
                && l.trim_end().ends_with(char::is_numeric)),
        "{contents}"
    );
    assert_eq!(render(&m).unwrap(), pdf, "deterministic");
}

#[test]
fn not_assessed_items_and_credential_figures_are_in_the_pdf() {
    let pdf = render(&model(2)).unwrap();
    let t = text(&pdf.bytes);
    for needed in [
        "Items not assessed",
        "EV-NHI-CREDENTIAL-STALE · Stale NHI credential · 1 item not assessed",
        "NHI-005 (dispatch sync)",
        "account dispatch-scim",
        "Credential 00T046094739383a803f",
        "Not assessed: no last-used date for it in any listing",
        "Credentials and emergency access",
        "Credentials revoked with their leaver",
        "42.9%",
        "3 of 7 leaver credentials judged",
        "Median credential age",
        "59 days",
        "Emergency uses reviewed in time",
    ] {
        assert!(t.contains(needed), "{needed:?} missing");
    }
    // The absent figure says why rather than showing a number (the cell may wrap).
    let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
    // The summary and the scope count them, so neither reads an unjudged item as clean.
    let said = "1 item could not be judged for want of evidence (EV-NHI-CREDENTIAL-STALE 1): \
                neither findings nor clean, they are listed under Items not assessed.";
    // The summary's opening paragraph and the scope's table, each on its own page.
    let summary = flat.split("Executive summary").nth(2).unwrap_or_default();
    let scope = flat
        .split("Scope and applicability")
        .nth(2)
        .unwrap_or_default();
    for (page, text, end) in [
        ("summary", summary, "The largest problems"),
        ("scope", scope, "Systems in scope"),
    ] {
        let own = text.split(end).next().unwrap_or_default();
        assert!(own.contains(said), "{page}: {own}");
    }
    assert!(
        flat.contains("no emergency-access register use in the period"),
        "{flat}"
    );
    assert_inside_margins(&pdf.bytes);
}
