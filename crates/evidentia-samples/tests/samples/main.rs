//! The generator's contract: deterministic output, a committed copy that is current, files the real importers read cleanly, and an answer key that covers every check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use evidentia_domain::{Record, RecordKind, SystemId};
use evidentia_import::{Format, ImportContext, Location, Origin, Profile, detect_format, import};
use evidentia_samples::{
    Config, File, Input, REVIEWS_FILE, REVIEWS_HEADER, generate, input_of, write_to,
};

mod reference;

const SEED: u64 = 2026;

/// Each imported file: its records with their origins, and the importer's summary.
type Imported = BTreeMap<String, (Vec<(Record, Origin)>, evidentia_import::ImportSummary)>;

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../evidence-samples")
}

fn sample() -> &'static Vec<File> {
    static FILES: std::sync::OnceLock<Vec<File>> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        generate(&Config {
            seed: SEED,
            scale: 1,
        })
        .expect("generates")
    })
}

fn file<'a>(files: &'a [File], path: &str) -> &'a str {
    let f = files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} generated"));
    std::str::from_utf8(&f.bytes).expect("utf-8")
}

#[test]
fn same_seed_gives_byte_identical_files_and_another_seed_does_not() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cfg = Config {
        seed: SEED,
        scale: 1,
    };
    let first = write_to(&cfg, a.path()).unwrap();
    write_to(&cfg, b.path()).unwrap();
    for f in &first {
        let x = std::fs::read(a.path().join(&f.path)).unwrap();
        let y = std::fs::read(b.path().join(&f.path)).unwrap();
        assert!(
            x == y,
            "{} differs between two runs with the same seed",
            f.path
        );
    }
    let other = generate(&Config {
        seed: SEED + 1,
        scale: 1,
    })
    .unwrap();
    assert_ne!(
        file(&other, "hr/workers.csv"),
        file(&first, "hr/workers.csv")
    );
}

#[test]
fn committed_copy_is_current() {
    let dir = committed_dir();
    let how = "regenerate with `cargo run -p evidentia-samples -- --seed 2026 --scale 1 --out evidence-samples` from the repository root";
    let mut stale = Vec::new();
    for f in sample() {
        match std::fs::read(dir.join(&f.path)) {
            Ok(bytes) if bytes == f.bytes => {}
            Ok(_) => stale.push(format!("{} differs", f.path)),
            Err(_) => stale.push(format!("{} is missing", f.path)),
        }
    }
    let generated: BTreeSet<&str> = sample().iter().map(|f| f.path.as_str()).collect();
    for sub in [
        "hr",
        "nhi",
        "tickets",
        "exceptions",
        "logs",
        "reconciliation",
        "reviews",
        "emergency",
        "profiles",
    ] {
        for entry in std::fs::read_dir(dir.join(sub))
            .into_iter()
            .flatten()
            .flatten()
        {
            let rel = format!("{sub}/{}", entry.file_name().to_string_lossy());
            if !generated.contains(rel.as_str()) {
                stale.push(format!("{rel} is no longer generated"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "evidence-samples/ is stale: {}; {how}",
        stale.join(", ")
    );
}

/// Imports one generated file through the real importer, as the CLI would.
fn import_file(
    f: &File,
    strict: bool,
) -> (
    Format,
    Vec<(Record, Origin)>,
    evidentia_import::ImportSummary,
) {
    let name = f.path.rsplit('/').next().unwrap();
    let head = &f.bytes[..f.bytes.len().min(64 * 1024)];
    let detected = detect_format(head, name);
    let mut ctx = ImportContext::new(&f.path);
    ctx.size = Some(f.bytes.len() as u64);
    let format = match input_of(&f.path) {
        Input::Log(system) => {
            // Detection reads the first 64 KiB; in the large sets a bastion log can open with
            // more sign-in noise than that, so there (not strict) the format is named as a
            // user would with --format.
            let format = detected
                .or_else(|| {
                    (!strict)
                        .then(|| {
                            Format::ALL
                                .iter()
                                .copied()
                                .find(|x| x.default_system() == Some(SystemId::new(system)))
                        })
                        .flatten()
                })
                .unwrap_or_else(|| panic!("{}: format not detected", f.path));
            assert_eq!(
                format.default_system(),
                Some(SystemId::new(system)),
                "{}: detected as {format}",
                f.path
            );
            format
        }
        Input::Profile(profile) => {
            assert_eq!(
                detected,
                Some(Format::Csv),
                "{}: detected as {detected:?}",
                f.path
            );
            ctx.profile = Some(Profile::builtin(profile).unwrap());
            Format::Csv
        }
        // The emergency-access register: read with the profile the generator writes beside it.
        Input::ProfileFile(profile) => {
            assert_eq!(
                detected,
                Some(Format::Csv),
                "{}: detected as {detected:?}",
                f.path
            );
            let own = Profile::from_toml(file(sample(), profile), profile)
                .unwrap_or_else(|e| panic!("{profile}: {e}"));
            ctx.profile = Some(own);
            Format::Csv
        }
        Input::Other => unreachable!(),
    };
    let mut sink: Vec<(Record, Origin)> = Vec::new();
    let summary = import(
        format,
        &mut f.bytes.as_slice(),
        &ctx,
        &mut sink,
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("{}: {e}", f.path));
    (format, sink, summary)
}

/// Whether a file's importer exists in this build. The access-review export is read through
/// the built-in `access-review` profile; until that profile is built in, the review file is
/// checked by its own plain reading (`review_rows`) and `the_access_review_profile_is_built_in`
/// fails, naming what is missing.
fn importable(path: &str) -> bool {
    match input_of(path) {
        Input::Other => false,
        Input::Profile(p) => Profile::builtin(p).is_some(),
        Input::ProfileFile(_) | Input::Log(_) => true,
    }
}

#[test]
fn the_access_review_profile_is_built_in() {
    assert_eq!(input_of(REVIEWS_FILE), Input::Profile("access-review"));
    assert!(
        Profile::builtin("access-review").is_some(),
        "no built-in profile named access-review: {REVIEWS_FILE} cannot be imported"
    );
}

/// One row of the review export, by column name.
pub type ReviewRow = BTreeMap<String, String>;

/// The review export read as plain CSV (no importer involved): (1-based line, row).
pub fn review_rows(files: &[File]) -> Vec<(u64, ReviewRow)> {
    let text = file(files, REVIEWS_FILE);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(REVIEWS_HEADER));
    let names: Vec<&str> = REVIEWS_HEADER.split(',').collect();
    lines
        .enumerate()
        .map(|(n, line)| {
            let cells = split_csv(line);
            assert_eq!(cells.len(), names.len(), "{REVIEWS_FILE}:{}", n + 2);
            let row = names.iter().map(|k| (*k).to_owned()).zip(cells).collect();
            (n as u64 + 2, row)
        })
        .collect()
}

/// Splits one CSV line (RFC 4180 quoting; the export has no line breaks inside cells).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            (c, _) => out.last_mut().unwrap().push(c),
        }
    }
    out
}

#[test]
fn review_rows_follow_the_export_layout() {
    let rows = review_rows(sample());
    assert!(rows.len() > 500, "{} review rows", rows.len());
    let time = |v: &str| chrono::DateTime::parse_from_rfc3339(v).is_ok() && v.ends_with('Z');
    let mut seen = BTreeSet::new();
    for (line, r) in &rows {
        let at = format!("{REVIEWS_FILE}:{line}");
        for k in ["Campaign Start", "Campaign Due", "Campaign Closed"] {
            assert!(time(&r[k]), "{at}: {k} {}", r[k]);
        }
        assert!(
            ["Keep", "Revoke", "Modify", "Delegate", "No Decision"]
                .contains(&r["Decision"].as_str()),
            "{at}: {}",
            r["Decision"]
        );
        assert!(
            ["Line Manager", "InfoSec", "App Owner", "Risk Owner", ""]
                .contains(&r["Reviewer Role"].as_str()),
            "{at}: {}",
            r["Reviewer Role"]
        );
        if r["Decision"] == "No Decision" {
            assert!(r["Decided At"].is_empty(), "{at}");
        } else {
            assert!(time(&r["Decided At"]), "{at}");
            assert!(
                r["Decided At"] > r["Campaign Start"],
                "{at}: before the start"
            );
            assert!(
                r["Decided At"] <= r["Campaign Closed"],
                "{at}: after the close"
            );
        }
        assert_eq!(
            r["Decision"] == "Delegate",
            !r["Delegated To"].is_empty(),
            "{at}"
        );
        // The importer refuses a second decision by one reviewer on one item.
        assert!(
            seen.insert((r["Item ID"].clone(), r["Reviewer"].clone())),
            "{at}: repeated"
        );
    }
}

fn imported() -> &'static Imported {
    static DONE: std::sync::OnceLock<Imported> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        sample()
            .iter()
            .filter(|f| importable(&f.path))
            .map(|f| {
                let (_, records, summary) = import_file(f, true);
                (f.path.clone(), (records, summary))
            })
            .collect()
    })
}

#[test]
fn every_file_imports_without_diagnostics_or_warnings() {
    for (path, (records, summary)) in imported() {
        assert!(
            summary.diagnostics.is_empty(),
            "{path}: {:#?}",
            &summary.diagnostics[..summary.diagnostics.len().min(5)]
        );
        assert!(
            summary.warnings.is_empty(),
            "{path}: {:#?}",
            &summary.warnings[..summary.warnings.len().min(5)]
        );
        assert!(!records.is_empty(), "{path}: no records");
        // Every non-empty line is either a record or deliberately skipped noise; logs also
        // summarise their sign-ins and API calls as activity, and the review export defines
        // its campaigns on the rows that carry their decisions.
        let kinds: BTreeSet<RecordKind> = records
            .iter()
            .map(|(r, _)| r.kind())
            .filter(|k| *k != RecordKind::Activity && *k != RecordKind::ReviewCampaign)
            .collect();
        assert_eq!(
            kinds.len(),
            1,
            "{path}: one kind of record per file, got {kinds:?}"
        );
    }
}

#[test]
fn record_counts_are_plausible() {
    let count = |path: &str| imported()[path].0.len();
    let people: BTreeSet<String> = imported()["hr/workers.csv"]
        .0
        .iter()
        .filter_map(|(r, _)| match r {
            Record::LifecycleEvent(e) => Some(e.identity.to_string()),
            _ => None,
        })
        .collect();
    let nhis: BTreeSet<String> = imported()["nhi/catalog.csv"]
        .0
        .iter()
        .filter_map(|(r, _)| match r {
            Record::LifecycleEvent(e) => Some(e.identity.to_string()),
            _ => None,
        })
        .collect();
    assert!(
        (270..=330).contains(&people.len()),
        "{} people",
        people.len()
    );
    assert!((100..=150).contains(&nhis.len()), "{} NHIs", nhis.len());
    assert!(count("tickets/access-requests.csv") > 300);
    assert!(count("exceptions/register.csv") >= 12);
    let executions: usize = evidentia_samples::SYSTEMS
        .iter()
        .map(|s| count(&log_file(s)))
        .sum();
    assert!(executions > 600, "{executions} executions");
    assert_eq!(
        imported()
            .keys()
            .filter(|p| p.starts_with("reconciliation/"))
            .count(),
        13
    );
}

fn log_file(sys: &impl std::fmt::Debug) -> String {
    let name = format!("{sys:?}");
    match name.as_str() {
        "Aws" => "logs/aws-cloudtrail.jsonl",
        "Okta" => "logs/okta-system-log.jsonl",
        "Entra" => "logs/entra-audit.jsonl",
        "Github" => "logs/github-audit.jsonl",
        "Google" => "logs/google-workspace-admin.jsonl",
        "K8s" => "logs/k8s-audit.jsonl",
        "Linux" => "logs/bastion-auth.log",
        _ => "logs/finance-app-provisioning.csv",
    }
    .to_owned()
}

#[test]
fn policy_loads_and_correlates_every_account_as_reconciliation_does() {
    let text = file(sample(), "policy.toml");
    let policy =
        evidentia_policy::Policy::from_toml(text, "policy.toml").unwrap_or_else(|e| panic!("{e}"));
    let facts: Vec<evidentia_policy::IdentityFacts> = ["hr/workers.csv", "nhi/catalog.csv"]
        .iter()
        .flat_map(|p| imported()[*p].0.iter())
        .filter_map(|(r, _)| match r {
            Record::LifecycleEvent(e) => Some(evidentia_policy::IdentityFacts::from(e)),
            _ => None,
        })
        .collect();
    let correlator = evidentia_policy::Correlator::new(&policy, facts);
    // Accounts the reconciliation tool itself lists as nobody's (the planted orphans): changes
    // to them (creating one, security removing them after a review) correlate to no one.
    let orphans: BTreeSet<(String, String)> = imported()
        .values()
        .flat_map(|(records, _)| records)
        .filter_map(|(r, _)| match r {
            Record::Reconciliation(rec) if rec.identity.is_none() => {
                Some((rec.system.to_string(), rec.account.to_string()))
            }
            _ => None,
        })
        .collect();
    let mut wrong = Vec::new();
    for (path, (records, _)) in imported() {
        for (r, o) in records {
            match r {
                Record::Reconciliation(rec) => {
                    // A credential listed as an entitlement belongs to the NHI its id maps to.
                    let by_credential = rec
                        .entitlement
                        .as_deref()
                        .map(|e| correlator.correlate(&rec.system, e))
                        .filter(|c| c.rule == evidentia_policy::CorrelationRule::Explicit);
                    let got = by_credential
                        .unwrap_or_else(|| correlator.correlate(&rec.system, &rec.account))
                        .identity;
                    if got != rec.identity {
                        wrong.push(format!(
                            "{path} {:?}: {} {} -> {got:?}, expected {:?}",
                            o.location, rec.system, rec.account, rec.identity
                        ));
                    }
                }
                Record::Execution(x) => {
                    let c = correlator.correlate(&x.system, &x.account);
                    if c.identity.is_none()
                        && !orphans.contains(&(x.system.to_string(), x.account.to_string()))
                    {
                        wrong.push(format!(
                            "{path} {:?}: account {} -> {}",
                            o.location,
                            x.account,
                            c.rule.as_str()
                        ));
                    }
                    if let Some(actor) = &x.actor {
                        let c = correlator.correlate(&x.system, actor);
                        if c.identity.is_none()
                            && !matches!(c.rule, evidentia_policy::CorrelationRule::Ignored { .. })
                        {
                            wrong.push(format!(
                                "{path} {:?}: actor {actor} -> {}",
                                o.location,
                                c.rule.as_str()
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} accounts correlate wrongly, e.g. {:#?}",
        wrong.len(),
        &wrong[..wrong.len().min(8)]
    );
}

fn key() -> serde_json::Value {
    serde_json::from_str(file(sample(), "answer-key.json")).unwrap()
}

/// The credential checks of issue 19, planted before the framework mapping names them.
const ISSUE_19_CHECKS: &[&str] = &[
    "EV-LEAVER-CREDENTIAL-NOT-REVOKED",
    "EV-LEAVER-CREDENTIAL-REVOKED-LATE",
    "EV-CREDENTIAL-USED-AFTER-LEAVE",
    "EV-NHI-CREDENTIAL-STALE",
];

#[test]
fn answer_key_covers_every_check_several_times() {
    let mapping: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../evidentia-frameworks/catalogs/mapping.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let key = key();
    let findings = key["findings"].as_array().unwrap();
    // The checks the framework mapping names, and the access-review checks their
    // specification (docs/access-reviews.md) names.
    let spec = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/access-reviews.md"),
    )
    .unwrap();
    let reviews: BTreeSet<String> = spec
        .split('`')
        .filter(|w| w.starts_with("EV-REVIEW-"))
        .map(str::to_owned)
        .collect();
    assert_eq!(reviews.len(), 9, "{reviews:?}");
    let ids: BTreeSet<&str> = mapping["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .chain(reviews.iter().map(String::as_str))
        .chain(ISSUE_19_CHECKS.iter().copied())
        .collect();
    for id in &ids {
        let of: Vec<&serde_json::Value> = findings.iter().filter(|f| f["check"] == *id).collect();
        assert!(of.len() >= 3, "{id}: {} instances", of.len());
        let review = id.starts_with("EV-REVIEW-");
        // Findings about a whole campaign, or a reviewer across systems, name no system.
        let systemless = ["EV-REVIEW-OVERDUE", "EV-REVIEW-RUBBER-STAMP"].contains(id);
        for f in &of {
            assert_eq!(f["system"].is_null(), systemless, "{id}: {f}");
            assert_eq!(f["campaign"].is_string(), review, "{id}: {f}");
        }
        if systemless {
            continue;
        }
        let systems: BTreeSet<&str> = of.iter().map(|f| f["system"].as_str().unwrap()).collect();
        assert!(
            systems.len() >= 2 || id.starts_with("EV-EXCEPTION"),
            "{id}: systems {systems:?}"
        );
        if *id == "EV-REVIEW-INCOMPLETE" {
            continue;
        }
        let nhi = of.iter().any(|f| {
            f["identity"]
                .as_str()
                .is_some_and(|i| i.starts_with("NHI-"))
        });
        let human = of.iter().any(|f| {
            f["identity"]
                .as_str()
                .is_some_and(|i| !i.starts_with("NHI-"))
        });
        let nhi_only = id.starts_with("EV-NHI-");
        // Only a person can certify their own access, or use emergency access (the
        // register's `Used By` is a person).
        let human_only = *id == "EV-MOVER-RETAINED-ACCESS"
            || *id == "EV-ORPHAN-ACCOUNT"
            || *id == "EV-REVIEW-SELF-REVIEW"
            || id.starts_with("EV-EMERGENCY-")
            || *id == "EV-BREAK-GLASS-NO-TICKET";
        assert!(nhi || human_only, "{id}: no NHI instance");
        assert!(
            human || nhi_only || *id == "EV-ORPHAN-ACCOUNT",
            "{id}: no human instance"
        );
    }
    for f in findings {
        assert!(
            ids.contains(f["check"].as_str().unwrap()),
            "unknown check {}",
            f["check"]
        );
        assert!(
            !f["evidence"].as_array().unwrap().is_empty(),
            "{f} has no evidence"
        );
    }
    assert!(key["clean_cases"].as_array().unwrap().len() >= 8);
}

#[test]
fn every_evidence_reference_points_at_an_imported_record() {
    let key = key();
    let all = key["findings"]
        .as_array()
        .unwrap()
        .iter()
        .chain(key["clean_cases"].as_array().unwrap());
    for f in all {
        for e in f["evidence"].as_array().unwrap() {
            let path = e["file"].as_str().unwrap();
            let line = e["line"].as_u64().unwrap();
            if path == REVIEWS_FILE {
                let row = review_rows(sample())
                    .into_iter()
                    .find(|(l, _)| *l == line)
                    .unwrap_or_else(|| panic!("{path}:{line} is no row (evidence of {f})"))
                    .1;
                let id = e["id"].as_str().unwrap();
                let named = match e["kind"].as_str().unwrap() {
                    "review_campaign" => &row["Campaign ID"],
                    _ => &row["Item ID"],
                };
                assert_eq!(named, id, "{path}:{line} (evidence of {f})");
                assert_eq!(Some(row["Campaign ID"].as_str()), f["campaign"].as_str());
                if let Some(account) = f["account"].as_str() {
                    assert_eq!(row["Account"], account, "{path}:{line} (evidence of {f})");
                }
                if !importable(path) {
                    continue;
                }
            }
            let (records, _) = &imported()[path];
            let at_line: Vec<&Record> = records
                .iter()
                .filter(|(_, o)| match &o.location {
                    Location::Line(l) | Location::LinePointer(l, _) => *l == line,
                    _ => false,
                })
                .map(|(r, _)| r)
                .collect();
            assert!(
                !at_line.is_empty(),
                "{path}:{line} holds no record (evidence of {})",
                f
            );
            if let Some(sid) = e["source_event_id"].as_str() {
                assert!(
                    at_line.iter().any(|r| match r {
                        Record::Execution(x) => x.source_event_id.as_deref() == Some(sid),
                        Record::Activity(a) => [&a.first, &a.last]
                            .iter()
                            .any(|m| m.source_event_id.as_deref() == Some(sid)),
                        _ => false,
                    }),
                    "{path}:{line} is not event {sid}"
                );
            }
            if let Some(id) = e["id"].as_str() {
                let ok = at_line.iter().any(|r| match r {
                    Record::LifecycleEvent(x) => x.id.as_str() == id,
                    Record::Approval(x) => x.id.as_str() == id,
                    Record::Exception(x) => x.id.as_str() == id,
                    Record::ReviewCampaign(x) => x.id.as_str() == id,
                    Record::ReviewDecision(x) => {
                        x.item.as_deref() == Some(id) || x.campaign.as_str() == id
                    }
                    Record::EmergencyUse(x) => x.id == id,
                    _ => false,
                });
                assert!(ok, "{path}:{line} is not {id}");
            }
            if e["kind"] == "reconciliation" || e["kind"] == "execution" {
                let account = f["account"].as_str();
                let matches_account = at_line.iter().any(|r| match r {
                    Record::Reconciliation(x) => Some(x.account.as_str()) == account,
                    Record::Execution(x) => {
                        Some(x.account.as_str()) == account
                            || f["check"] == "EV-ACTIVITY-AFTER-TERMINATION"
                    }
                    _ => false,
                });
                assert!(
                    matches_account || f["account"].is_null(),
                    "{path}:{line} is not about {account:?}"
                );
            }
        }
    }
}
