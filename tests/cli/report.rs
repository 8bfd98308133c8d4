//! `evidentia report` on the demo organisation, checked with the tools an auditor would use:
//! poppler's pdfinfo, pdftotext and pdftoppm read it, qpdf finds no structural error, every
//! finding the framework maps is in it, and the same options give the same bytes.

use crate::*;

/// A Debian tool the report tests read the PDF with; its absence fails the test, naming the fix.
fn tool(name: &str) -> PathBuf {
    for dir in ["/usr/bin", "/usr/local/bin", "/bin"] {
        let path = Path::new(dir).join(name);
        if path.exists() {
            return path;
        }
    }
    panic!(
        "{name} is not installed: the report tests read the PDF with poppler-utils and qpdf; \
         `make test` installs them (APT_PACKAGES in the Makefile), or run \
         `apt-get install poppler-utils qpdf`"
    );
}

/// Runs a tool on a file; it must succeed. Returns its stdout.
#[track_caller]
pub(crate) fn run_tool(name: &str, args: &[&str]) -> String {
    let output = Command::new(tool(name))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {name}: {e}"));
    assert!(
        output.status.success(),
        "{name} {args:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn samples() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../evidence-samples"
    ))
}

fn demo(dir: &Path) -> PathBuf {
    let ws = dir.join("demo.evidentia");
    let samples = samples();
    run(&[
        "demo",
        "--out",
        path_str(&ws),
        "--samples",
        path_str(&samples),
    ])
    .expect_code(0);
    run_ws(&ws, &["checkpoint"]).expect_code(0);
    ws
}

const GENERATED_AT: &str = "2026-01-15T09:30:00Z";

/// `report --json` for `framework` into `out`; returns the printed summary.
#[track_caller]
fn report(ws: &Path, framework: &str, generated_at: &str, out: &Path) -> serde_json::Value {
    run_ws(
        ws,
        &[
            "--json",
            "report",
            "--framework",
            framework,
            "--generated-at",
            generated_at,
            "--out",
            path_str(out),
        ],
    )
    .expect_code(0)
    .json()
}

/// The value of one `pdfinfo` field.
fn info_field(info: &str, field: &str) -> String {
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| panic!("pdfinfo printed no {field}: {info}"))
}

#[test]
fn report_on_the_demo_organisation_reads_back_with_standard_tools() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let key: serde_json::Value =
        serde_json::from_slice(&std::fs::read(samples().join("answer-key.json")).unwrap()).unwrap();

    for (framework, title) in [
        ("nist-csf-2.0", "NIST Cybersecurity Framework (CSF) 2.0"),
        ("owasp-nhi-2025", "OWASP"),
    ] {
        let pdf = dir.path().join(format!("{framework}.pdf"));
        let summary = report(&ws, framework, GENERATED_AT, &pdf);
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF-"), "{framework}: not a PDF");
        assert_eq!(summary["bytes"].as_u64(), Some(bytes.len() as u64));
        assert_eq!(summary["path"].as_str(), Some(path_str(&pdf)));
        let sha = summary["sha256"].as_str().unwrap();
        let sum = run_tool("sha256sum", &[path_str(&pdf)]);
        assert!(
            sum.starts_with(sha),
            "{framework}: printed sha256 {sha}, file {sum}"
        );
        // Subset fonts keep the file small; the whole fonts alone would be 1.4 MB.
        assert!(bytes.len() < 400_000, "{framework}: {} bytes", bytes.len());

        let info = run_tool("pdfinfo", &[path_str(&pdf)]);
        let pages: u64 = info_field(&info, "Pages").parse().unwrap();
        assert_eq!(summary["pages"].as_u64(), Some(pages), "{info}");
        assert!((6..200).contains(&pages), "{framework}: {pages} pages");
        assert!(info_field(&info, "Title").contains(title), "{info}");
        assert_eq!(info_field(&info, "Author"), "Evidentia");
        assert!(info_field(&info, "Subject").contains(framework), "{info}");
        assert!(
            info_field(&info, "CreationDate").contains("2026"),
            "the creation date is --generated-at: {info}"
        );
        assert_eq!(info_field(&info, "Page size"), "595.276 x 841.89 pts (A4)");

        let check = run_tool("qpdf", &["--check", path_str(&pdf)]);
        assert!(
            check.contains("No syntax or stream encoding errors"),
            "{framework}: qpdf --check: {check}"
        );

        let text = run_tool("pdftotext", &["-layout", path_str(&pdf), "-"]);
        let pages_text: Vec<&str> = text
            .split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .collect();
        assert_eq!(pages_text.len() as u64, pages);
        for (i, page) in pages_text.iter().enumerate() {
            assert!(
                page.contains(&format!("Page {} of {pages}", i + 1)),
                "{framework}: page {} has no page number",
                i + 1
            );
            assert!(
                page.contains("Northwind Analytics") && page.contains("2025-01-01 to 2025-12-31"),
                "{framework}: page {} has no running header",
                i + 1
            );
        }
        for needed in [
            title,
            "Contents",
            "Scope and applicability",
            "Executive summary",
            "Controls in scope",
            "Findings",
            "Exception aging",
            "Time to revoke",
            "Appendix A",
            "Appendix B — Controls not assessed",
            "How to verify",
            "workers.csv",
            "2026-01-15 09:30:00 UTC",
        ] {
            assert!(text.contains(needed), "{framework}: {needed:?} missing");
        }
        let head = verify_intact(&ws);
        let hash = head["head_hash"].as_str().unwrap();
        assert!(
            text.contains(hash),
            "{framework}: the head hash {hash} is printed"
        );

        // Every finding the framework maps is in the report: its check and who it is about.
        let mapped = run_ws(&ws, &["--json", "findings", "--framework", framework])
            .expect_code(0)
            .json();
        let mapped = mapped.as_array().unwrap();
        assert!(!mapped.is_empty(), "{framework} maps some demo findings");
        for f in mapped {
            let check = f["check"].as_str().unwrap();
            let identity = f["identity"].as_str();
            // The OWASP NHI report counts non-human identities only; the demo names its NHIs
            // NHI-nnnn and its people Ennnn/Cnnnn (evidence-samples/README.md).
            if framework == "owasp-nhi-2025" && identity.is_some_and(|i| !i.starts_with("NHI-")) {
                continue;
            }
            assert!(text.contains(check), "{framework}: check {check} missing");
            if let Some(identity) = identity {
                // Names stand next to ids: "Dana Ito (E1234)", or the id alone when unnamed.
                assert!(
                    text.contains(&format!("({identity})")) || text.contains(identity),
                    "{framework}: finding {check} on {identity} missing"
                );
            }
        }
        let planted = key["findings"][0]["check"].as_str().unwrap();
        if framework == "nist-csf-2.0" {
            assert!(
                text.contains(planted),
                "answer-key finding {planted} missing"
            );
        }

        // The pages render.
        let png = dir.path().join(format!("{framework}-page"));
        run_tool(
            "pdftoppm",
            &[
                "-png",
                "-r",
                "30",
                "-f",
                "1",
                "-l",
                "2",
                path_str(&pdf),
                path_str(&png),
            ],
        );
        let rendered = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                let name = name.to_string_lossy();
                name.starts_with(&format!("{framework}-page")) && name.ends_with(".png")
            })
            .count();
        assert_eq!(rendered, 2, "{framework}: pdftoppm rendered two pages");
    }
}

#[test]
fn the_same_options_give_the_same_bytes_and_the_time_is_part_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let first = dir.path().join("first.pdf");
    let second = dir.path().join("second.pdf");
    let later = dir.path().join("later.pdf");
    let a = report(&ws, "owasp-nhi-2025", GENERATED_AT, &first);
    let b = report(&ws, "owasp-nhi-2025", GENERATED_AT, &second);
    assert_eq!(a["sha256"], b["sha256"]);
    assert!(std::fs::read(&first).unwrap() == std::fs::read(&second).unwrap());
    let c = report(&ws, "owasp-nhi-2025", "2026-01-15T09:30:01+00:00", &later);
    assert_ne!(
        a["sha256"], c["sha256"],
        "a different --generated-at changes the bytes"
    );
    // Reporting wrote nothing into the workspace.
    verify_intact(&ws);
    assert!(
        run_ws(&ws, &["--json", "log", "--kind", "analysis.run"])
            .json_lines()
            .is_empty(),
        "a report does not record an analysis run"
    );
    // Replacing an existing file leaves no temporary file behind.
    report(&ws, "owasp-nhi-2025", GENERATED_AT, &first);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.ends_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "left behind: {names:?}");
}

#[test]
fn a_period_override_is_printed_and_bad_options_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let out = dir.path().join("q2.pdf");
    run_ws(
        &ws,
        &[
            "report",
            "--framework",
            "nist-csf-2.0",
            "--from",
            "2025-04-01",
            "--to",
            "2025-06-30",
            "--generated-at",
            GENERATED_AT,
            "--out",
            path_str(&out),
        ],
    )
    .expect_code(0);
    let text = run_tool("pdftotext", &[path_str(&out), "-"]);
    assert!(
        text.contains("2025-04-01 to 2025-06-30"),
        "the period is printed"
    );

    let missing = dir.path().join("never.pdf");
    let unknown = run_ws(
        &ws,
        &[
            "report",
            "--framework",
            "iso-27001",
            "--out",
            path_str(&missing),
        ],
    );
    unknown.expect_one_line_error();
    assert!(unknown.stderr.contains("unknown framework"), "{unknown:#?}");
    let backwards = run_ws(
        &ws,
        &[
            "report",
            "--framework",
            "nist-csf-2.0",
            "--from",
            "2025-06-30",
            "--to",
            "2025-04-01",
            "--out",
            path_str(&missing),
        ],
    );
    backwards.expect_one_line_error();
    let nowhere = run_ws(
        &ws,
        &[
            "report",
            "--framework",
            "nist-csf-2.0",
            "--out",
            path_str(&dir.path().join("no/such/dir/r.pdf")),
        ],
    );
    nowhere.expect_one_line_error();
    assert!(nowhere.stderr.contains("does not exist"), "{nowhere:#?}");
    assert!(!missing.exists(), "no file for a failed report");
}

/// The section titles the outline (bookmarks) must hold, as `qpdf --json` prints them.
const OUTLINE: [&str; 6] = [
    "Contents",
    "Scope and applicability",
    "Executive summary",
    "Findings",
    "Appendix A — Evidence index",
    "Appendix C — How to verify",
];

/// True when `line` ends inside an e-mail address (its local part and `@`) or starts with
/// the `@`: a break pdftotext shows as two lines.
fn splits_an_address(line: &str) -> bool {
    let trimmed = line.trim();
    if trimmed.starts_with('@') {
        return true;
    }
    if let Some(before) = trimmed.strip_suffix('@') {
        return before
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    }
    false
}

/// Every place in `raw` (pdftotext's lines) where `address` is broken across lines at
/// anything but a `.`, `-` or `_` that follows: "dana.ito@northwi" / "nd.example".
fn bad_breaks(raw: &str, address: &str) -> Vec<String> {
    // The text without line breaks, remembering after which character each break fell.
    let mut joined = String::new();
    let mut breaks = std::collections::BTreeSet::new();
    for line in raw.lines() {
        let line = line.trim();
        joined.push_str(line);
        breaks.insert(joined.len());
    }
    let mut bad = Vec::new();
    for (at, _) in joined.match_indices(address) {
        for b in breaks.range(at + 1..at + address.len()) {
            let before = joined[..*b].chars().last().unwrap_or(' ');
            if !matches!(before, '.' | '-' | '_') {
                bad.push(format!(
                    "{}|{}",
                    &joined[at..*b],
                    &joined[*b..at + address.len()]
                ));
            }
        }
    }
    bad
}

/// A person's name next to their id in `text`: "Firstname Lastname (E1234)".
fn named_ids(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in text.match_indices(" (E") {
        let id: String = text[i + 2..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let closes = text[i + 2 + id.len()..].starts_with(')');
        let name: String = text[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_alphabetic() || *c == ' ' || *c == '-')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let words: Vec<&str> = name.split_whitespace().collect();
        if closes
            && id.len() > 1
            && id[1..].chars().all(|c| c.is_ascii_digit())
            && words.len() >= 2
            && words
                .iter()
                .rev()
                .take(2)
                .all(|w| w.chars().next().is_some_and(char::is_uppercase))
        {
            found.push(format!("{} ({id})", words[words.len() - 2..].join(" ")));
        }
    }
    found
}

#[test]
fn the_report_reads_for_a_board_and_an_auditor() {
    let dir = tempfile::tempdir().unwrap();
    // demo() records a checkpoint right after building the workspace: the report names it.
    let ws = demo(dir.path());
    for framework in ["nist-csf-2.0", "owasp-nhi-2025"] {
        let pdf = dir.path().join(format!("{framework}.pdf"));
        report(&ws, framework, GENERATED_AT, &pdf);
        let text = run_tool("pdftotext", &["-layout", path_str(&pdf), "-"]);
        let raw = run_tool("pdftotext", &[path_str(&pdf), "-"]);

        // The cover names the checkpoint that records this head, never a command to run.
        assert!(
            text.contains("checkpoint #1 recorded this head at"),
            "{framework}: the cover does not name checkpoint #1"
        );
        let joined = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let signed = run_ws(&ws, &["checkpoint", "--list"])
            .expect_code(0)
            .stdout
            .clone();
        if signed.contains("signed") && !signed.contains("unsigned") {
            assert!(
                joined.contains("signed by evidentia/") && joined.contains("key id"),
                "{framework}: the signer key is not named"
            );
        } else {
            assert!(joined.contains("unsigned"), "{framework}");
        }
        assert!(!text.contains("“evidentia checkpoint”"), "{framework}");
        // Contents with page numbers, the scope page, check titles, names next to ids.
        let contents = text.split('\u{c}').nth(1).unwrap();
        assert!(contents.contains("Contents"), "{contents}");
        assert!(
            contents
                .lines()
                .any(|l| l.trim_start().starts_with("Findings")
                    && l.trim_end().ends_with(|c: char| c.is_ascii_digit())),
            "{framework}: the contents give no page for Findings: {contents}"
        );
        for needed in [
            "Scope and applicability",
            "Systems in scope",
            "Evidence classes",
            "EV-LEAVER-NOT-REVOKED — Leaver access not revoked",
            "The largest problems:",
            "Appendix C — How to verify",
            "sha256sum -c SHA256SUMS",
            "tools/verify_ledger.py",
            "openssl pkeyutl -verify",
        ] {
            assert!(
                text.contains(needed) || raw.contains(needed),
                "{framework}: {needed:?} missing"
            );
        }
        let names = named_ids(&raw.replace('\n', " "));
        assert!(
            !names.is_empty(),
            "{framework}: no person's name stands next to an id"
        );
        // Nothing points to our repository or asks the reader to run our CLI; an external
        // auditor has neither.
        assert!(!text.contains("docs/"), "{framework}: refers to docs/");
        for command in [
            "evidentia log",
            "evidentia checkpoint",
            "evidentia findings",
        ] {
            assert!(
                !text.contains(command),
                "{framework}: tells to run {command}"
            );
        }
        // No line ends inside an e-mail address or starts with its @, and an address too
        // wide for its column breaks only after a dot, hyphen or underscore.
        for (n, line) in raw.lines().chain(text.lines()).enumerate() {
            assert!(
                !splits_an_address(line),
                "{framework}: line {n} splits an address: {line:?}"
            );
        }
        let findings = run_ws(&ws, &["--json", "findings", "--framework", framework])
            .expect_code(0)
            .json();
        let addresses: std::collections::BTreeSet<&str> = findings
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["account"].as_str())
            .filter(|a| a.contains('@'))
            .collect();
        assert!(
            !addresses.is_empty(),
            "the demo has accounts named by address"
        );
        for address in addresses {
            let bad = bad_breaks(&raw, address);
            assert!(
                bad.is_empty(),
                "{framework}: {address} broken mid-word: {bad:?}"
            );
        }
        // qpdf finds the file sound and the outline holds the sections.
        let check = run_tool("qpdf", &["--check", path_str(&pdf)]);
        assert!(
            check.contains("No syntax or stream encoding errors"),
            "{framework}: {check}"
        );
        let json = run_tool("qpdf", &["--json", "--json-key=outlines", path_str(&pdf)]);
        let outline: serde_json::Value = serde_json::from_str(&json).unwrap();
        let titles: Vec<&str> = outline["outlines"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|o| o["title"].as_str())
            .collect();
        for title in OUTLINE {
            assert!(titles.contains(&title), "{framework}: outline {titles:?}");
        }
        // Findings link to the evidence index (GoTo link annotations).
        let links = run_tool(
            "qpdf",
            &["--qdf", "--object-streams=disable", path_str(&pdf), "-"],
        );
        assert!(
            links.contains("/Subtype /Link") && links.contains("/S /GoTo"),
            "{framework}: no internal links"
        );
    }
}

#[test]
fn the_owasp_report_counts_critical_nhi_offboarding_and_leaves_people_out() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let pdf = dir.path().join("owasp.pdf");
    report(&ws, "owasp-nhi-2025", GENERATED_AT, &pdf);
    let text = run_tool("pdftotext", &["-layout", path_str(&pdf), "-"]);
    assert!(
        text.contains("People") && text.contains("are out of scope of this report"),
        "the scope page says people are out of scope"
    );
    // The findings-by-check table: the leaver check is critical and maps to NHI1:2025.
    let row = text
        .lines()
        .find(|l| l.contains("EV-LEAVER-NOT-REVOKED") && l.contains("Critical"))
        .expect("a critical EV-LEAVER-NOT-REVOKED row");
    assert!(row.contains("NHI1:2025"), "{row}");
    let count: usize = row
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .expect("a count");
    // Exactly the NHIs' leaver findings: people's are not in this report.
    let all = run_ws(
        &ws,
        &["--json", "findings", "--framework", "owasp-nhi-2025"],
    )
    .expect_code(0)
    .json();
    let nhi_leavers = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["check"] == "EV-LEAVER-NOT-REVOKED"
                && f["identity"]
                    .as_str()
                    .is_some_and(|i| i.starts_with("NHI-"))
        })
        .count();
    assert!(nhi_leavers > 0, "the demo has NHI leavers not revoked");
    assert_eq!(count, nhi_leavers, "{row}");
    // `findings --framework owasp-nhi-2025` is scoped as the report is: no person's finding
    // (the demo's people are employees E… and contractors C…), though NIST CSF lists them.
    let people = |list: &serde_json::Value| {
        list.as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["identity"]
                    .as_str()
                    .is_some_and(|i| !i.starts_with("NHI-"))
            })
            .count()
    };
    assert_eq!(people(&all), 0, "people's findings under OWASP NHI");
    let nist = run_ws(&ws, &["--json", "findings", "--framework", "nist-csf-2.0"])
        .expect_code(0)
        .json();
    assert!(
        people(&nist) > 0,
        "the demo's people have findings under NIST CSF"
    );
    let tile = text
        .lines()
        .find(|l| l.contains("critical,"))
        .expect("the findings tile");
    assert!(!tile.contains(" 0 critical"), "{tile}");
}

#[test]
fn without_a_checkpoint_the_cover_says_none_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.evidentia");
    run(&[
        "demo",
        "--out",
        path_str(&ws),
        "--samples",
        path_str(&samples()),
    ])
    .expect_code(0);
    let pdf = dir.path().join("r.pdf");
    report(&ws, "nist-csf-2.0", GENERATED_AT, &pdf);
    let text = run_tool("pdftotext", &["-layout", path_str(&pdf), "-"]);
    assert!(
        text.contains("none recorded"),
        "the cover says none recorded"
    );
    // A checkpoint recorded now names this head on the next report.
    run_ws(&ws, &["checkpoint"]).expect_code(0);
    report(&ws, "nist-csf-2.0", GENERATED_AT, &pdf);
    let text = run_tool("pdftotext", &["-layout", path_str(&pdf), "-"]);
    assert!(text.contains("checkpoint #1 recorded this head"));
}
