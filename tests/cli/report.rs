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
fn run_tool(name: &str, args: &[&str]) -> String {
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
            "Executive summary",
            "Controls",
            "Findings",
            "Exception aging",
            "Time to revoke",
            "Appendix A",
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
            assert!(text.contains(check), "{framework}: check {check} missing");
            if let Some(identity) = f["identity"].as_str() {
                assert!(
                    text.contains(&format!("identity {identity}")),
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
