//! The GitHub listing samples (octokit.rb recordings): detected from content, imported with only the file's time, rows and warnings checked; the VCR cassettes they came from are refused by name.

use evidentia_domain::{Coverage, ReconciliationRecord, ReconciliationStatus as S};
use evidentia_import::{Format, ImportError, ImportSummary, Location, detect_format};

use crate::file_time;

const DIR: &str = "inventories/github_org_members/";

fn covers_nothing() -> Coverage {
    Coverage {
        accounts: false,
        entitlements: false,
        credentials: false,
        holders_of: None,
    }
}

type Rows = Vec<(ReconciliationRecord, Location)>;

/// Detects and imports one sample as the CLI would: the file's modification time, and
/// `--scope` only when given.
fn read(name: &str, scope: Option<&str>) -> Option<(ImportSummary, Rows)> {
    let rel = format!("{DIR}{name}");
    let (summary, rows) = crate::import_inventory(&rel, Format::GithubMembers, scope)?;
    assert!(
        summary.diagnostics.is_empty(),
        "{rel}: {:?}",
        summary.diagnostics
    );
    Some((summary, rows))
}

fn warned(summary: &ImportSummary, text: &str) -> usize {
    summary
        .warnings
        .iter()
        .filter(|w| w.reason.contains(text))
        .count()
}

#[test]
fn codeforamerica_org_members() {
    let name = "DERIVED_octokit.rb_GET_orgs_codeforamerica_members.json";
    let Some((summary, rows)) = read(name, None) else {
        return;
    };
    assert_eq!(summary.rows, 30);
    assert_eq!(rows.len(), 30);
    assert_eq!(rows[0].0.account, "waltz");
    assert_eq!(rows[1].0.account, "sferik");
    assert_eq!(rows[29].1, Location::Pointer("/29".into()));
    // Without --scope the list names no org: accounts only, covering nothing, one warning.
    assert!(rows.iter().all(|(r, _)| r.entitlement.is_none()
        && r.status == S::ExpectedPresent
        && r.coverage.as_deref() == Some(&covers_nothing())
        && r.as_of == file_time()
        && r.system.as_str() == "github"));
    assert_eq!(
        warned(&summary, "does not name its group: give --scope GROUP"),
        1
    );
    assert_eq!(warned(&summary, "modification time"), 1);
    assert_eq!(summary.warnings.len(), 2);

    let Some((summary, rows)) = read(name, Some("codeforamerica")) else {
        return;
    };
    assert_eq!(summary.warnings.len(), 1, "only the moment is warned about");
    assert!(
        rows.iter()
            .all(|(r, _)| r.entitlement.as_deref() == Some("codeforamerica")
                && r.coverage.as_deref() == Some(&Coverage::holders_of("codeforamerica")))
    );
}

#[test]
fn rails_admin_collaborators_of_2013_have_no_permission() {
    let name = "DERIVED_octokit.rb_GET_repos_sferik_rails_admin_collaborators.json";
    let Some((summary, rows)) = read(name, Some("sferik/rails_admin")) else {
        return;
    };
    assert_eq!(summary.rows, 11);
    // 2013 collaborators carry neither `permissions` nor `role_name`: the repository only.
    let got: Vec<_> = rows.iter().map(|(r, _)| r.account.as_str()).collect();
    assert_eq!(
        got,
        [
            "sferik",
            "wycats",
            "hurrycane",
            "joshk",
            "bbenezech",
            "gunn",
            "caboteria",
            "jphpsf",
            "kaapa",
            "ccabot",
            "mshibuya"
        ]
    );
    assert!(rows.iter().all(
        |(r, _)| r.entitlement.as_deref() == Some("sferik/rails_admin")
            && r.coverage.as_deref() == Some(&Coverage::holders_of("sferik/rails_admin"))
    ));
    let Some((summary, _)) = read(name, None) else {
        return;
    };
    assert_eq!(warned(&summary, "--scope"), 1);
}

#[test]
fn membership_object_names_org_and_owner() {
    let Some((summary, rows)) = read(
        "DERIVED_octokit.rb_GET_user_memberships_orgs_ORG.json",
        None,
    ) else {
        return;
    };
    assert_eq!(summary.rows, 1);
    let got: Vec<_> = rows
        .iter()
        .map(|(r, _)| (r.account.as_str(), r.entitlement.as_deref(), r.status))
        .collect();
    assert_eq!(
        got,
        [
            (
                "<GITHUB_LOGIN>",
                Some("<GITHUB_TEST_ORGANIZATION>"),
                S::ExpectedPresent
            ),
            (
                "<GITHUB_LOGIN>",
                Some("<GITHUB_TEST_ORGANIZATION>:owner"),
                S::ExpectedPresent
            ),
        ]
    );
    assert_eq!(rows[0].0.coverage.as_deref(), Some(&covers_nothing()));
    assert_eq!(rows[0].1, Location::LinePointer(1, String::new()));
    assert_eq!(warned(&summary, "--scope"), 0, "the object names its org");
}

#[test]
fn vcr_cassettes_are_recognised_and_refused_by_name() {
    let Some(files) = crate::sample_sources_in("inventories/github_org_members/") else {
        return;
    };
    let mut seen = 0;
    for (name, bytes) in files {
        seen += 1;
        let head = &bytes[..bytes.len().min(64 * 1024)];
        assert_eq!(
            detect_format(head, &name),
            Some(Format::GithubMembers),
            "{name}"
        );
        let (result, sink) = crate::import_inventory_bytes(
            &bytes,
            &name,
            Format::GithubMembers,
            Some("codeforamerica"),
        );
        let Err(ImportError::Unreadable(d)) = result else {
            panic!("{name} must be refused, got {result:?}")
        };
        assert!(d.reason.contains("VCR cassette"), "{name}: {d}");
        assert_eq!(d.location, Location::Pointer("/http_interactions/0".into()));
        assert!(sink.is_empty());
    }
    assert_eq!(seen, 3);
}

#[test]
fn damaged_copies_never_panic() {
    for name in [
        "DERIVED_octokit.rb_GET_orgs_codeforamerica_members.json",
        "DERIVED_octokit.rb_GET_repos_sferik_rails_admin_collaborators.json",
        "DERIVED_octokit.rb_GET_user_memberships_orgs_ORG.json",
    ] {
        crate::assert_damaged_copies_never_panic(&format!("{DIR}{name}"), Format::GithubMembers);
    }
}

/// No other sample, log or inventory, is taken for a GitHub or Google Directory listing.
#[test]
fn other_samples_are_not_taken_for_ours() {
    let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/");
    let ours = ["github_org_members", "google_directory"];
    let mut stack = vec![
        std::path::PathBuf::from(format!("{shared}real-samples")),
        std::path::PathBuf::from(format!("{shared}sample-sources")),
    ];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if !ours.iter().any(|o| path.ends_with(o)) {
                    stack.push(path);
                }
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            seen += 1;
            let head = &bytes[..bytes.len().min(64 * 1024)];
            let got = detect_format(head, "export.json");
            assert!(
                !matches!(got, Some(Format::GithubMembers | Format::GoogleDirectory)),
                "{} detected as {got:?}",
                path.display()
            );
        }
    }
    if seen == 0 {
        println!("skipping: ../shared samples not present");
    }
}
