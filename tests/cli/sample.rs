//! `evidentia populations` and `evidentia sample` on the demo: the sample an auditor's own
//! script draws from the documented algorithm is the CLI's, and bad requests write nothing.

use std::path::Path;

use crate::export::demo_workspace;
use crate::{path_str, run_ws};

/// The reference script of docs/audit-samples.md, exactly as the document prints it.
fn documented_script() -> String {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/audit-samples.md"),
    )
    .unwrap();
    let section = doc
        .split("### Redoing it without Evidentia")
        .nth(1)
        .expect("docs/audit-samples.md has the reference script");
    let script = section
        .split("```python\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("a python block");
    assert!(
        script.lines().count() <= 25,
        "the reference script stays short"
    );
    script.to_owned()
}

#[test]
fn the_documented_script_draws_the_same_sample_as_the_cli() {
    let ws = demo_workspace();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("sample.py");
    std::fs::write(&script, documented_script()).unwrap();
    for (population, size, seed) in [
        ("leavers", "7", "FY2025 ITGC leavers"),
        ("grants-outside-birthright", "10", "seed with ünïcode ✓"),
        ("exceptions", "14", "all of them"),
    ] {
        let list = run_ws(ws, &["--json", "populations", population])
            .expect_code(0)
            .json();
        let file = dir.path().join(format!("{population}.json"));
        std::fs::write(&file, serde_json::to_vec(&list).unwrap()).unwrap();
        let out = std::process::Command::new("python3")
            .arg(&script)
            .arg(&file)
            .arg(seed)
            .arg(size)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let printed = String::from_utf8(out.stdout).unwrap();
        let mut lines = printed.lines();
        let digest = lines.next().unwrap().strip_prefix("digest ").unwrap();
        let script_keys: Vec<&str> = lines.collect();

        let sample = run_ws(
            ws,
            &[
                "--json", "sample", population, "--size", size, "--seed", seed,
            ],
        )
        .expect_code(0)
        .json();
        let cli_keys: Vec<&str> = sample["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["key"].as_str().unwrap())
            .collect();
        assert_eq!(script_keys, cli_keys, "{population}");
        assert_eq!(sample["population"]["digest"].as_str(), Some(digest));
        assert_eq!(sample["population"]["count"], list["count"]);
        // Every sampled item carries every attribute of its population, each with a result.
        let attributes = list["attributes"].as_array().unwrap().len();
        for item in sample["items"].as_array().unwrap() {
            let a = item["attributes"].as_array().unwrap();
            assert_eq!(a.len(), attributes, "{item}");
            for r in a {
                assert!(["pass", "fail", "n/a"].contains(&r["result"].as_str().unwrap()));
                if r["result"] == "fail" {
                    assert!(!r["evidence"].as_array().unwrap().is_empty(), "{r}");
                    assert!(!r["failing_checks"].as_array().unwrap().is_empty(), "{r}");
                }
            }
        }
    }
}

#[test]
fn a_seed_gives_the_same_sample_every_time_and_another_seed_another() {
    let ws = demo_workspace();
    let draw = |seed: &str, extra: &[&str]| {
        let mut args = vec!["--json", "sample", "leavers", "--seed", seed];
        args.extend_from_slice(extra);
        run_ws(ws, &args).expect_code(0).json()["items"].clone()
    };
    let a = draw("one", &["--size", "10"]);
    assert_eq!(a, draw("one", &["--size", "10"]));
    assert_ne!(a, draw("two", &["--size", "10"]));
    // A frequency takes its size from the documented table (daily: 25).
    assert_eq!(
        draw("one", &["--frequency", "daily"])
            .as_array()
            .unwrap()
            .len(),
        25
    );
    // Stratified by kind: each kind gets its largest-remainder share.
    let sample = run_ws(
        ws,
        &[
            "--json",
            "sample",
            "credential-rotations",
            "--size",
            "6",
            "--seed",
            "s",
            "--stratify",
            "kind",
        ],
    )
    .expect_code(0)
    .json();
    let strata = sample["strata"].as_array().unwrap();
    let shares: u64 = strata.iter().map(|s| s["sample"].as_u64().unwrap()).sum();
    assert_eq!(shares, 6, "{strata:?}");
    for s in strata {
        let taken = sample["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["stratum"] == s["stratum"])
            .count() as u64;
        assert_eq!(taken, s["sample"].as_u64().unwrap(), "{s}");
    }
}

#[test]
fn bad_sample_requests_are_one_line_and_write_nothing() {
    let ws = demo_workspace();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sample.json");
    let o = path_str(&out);
    for (args, says) in [
        (
            vec![
                "sample", "leavers", "--size", "1000", "--seed", "s", "--out", o,
            ],
            "larger than population leavers",
        ),
        (
            vec![
                "sample",
                "stragglers",
                "--size",
                "5",
                "--seed",
                "s",
                "--out",
                o,
            ],
            "unknown population",
        ),
        (
            vec![
                "sample",
                "leavers",
                "--size",
                "5",
                "--seed",
                "s",
                "--from",
                "2031-01-01",
                "--to",
                "2031-12-31",
                "--out",
                o,
            ],
            "is empty",
        ),
        (
            vec!["sample", "leavers", "--size", "5", "--seed", "", "--out", o],
            "seed is empty",
        ),
        (
            vec![
                "sample", "leavers", "--size", "0", "--seed", "s", "--out", o,
            ],
            "0 items",
        ),
    ] {
        let r = run_ws(ws, &args);
        r.expect_code(1).expect_one_line_error();
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert!(!out.exists(), "{args:?} wrote a file");
    }
}

/// The workpaper of a real sample, read back by LibreOffice, holds the numbers of the JSON
/// sample: every item's entry and position, every attribute's result and evidence entries,
/// the population's items and count, and the method's seed and digest. The appendix renders.
#[test]
fn the_workpaper_read_back_by_libreoffice_equals_the_json_sample() {
    let Some(soffice) = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("soffice"))
            .find(|f| f.is_file())
    }) else {
        println!(
            "skipped: LibreOffice (soffice) is not installed; `make test` installs libreoffice-calc-nogui"
        );
        return;
    };
    let ws = demo_workspace();
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("leavers.xlsx");
    let pdf = dir.path().join("leavers.pdf");
    let json = dir.path().join("leavers.json");
    run_ws(
        ws,
        &[
            "sample",
            "leavers",
            "--size",
            "12",
            "--seed",
            "workpaper",
            "--workpaper",
            path_str(&xlsx),
            "--appendix",
            path_str(&pdf),
            "--out",
            path_str(&json),
        ],
    )
    .expect_code(0);
    let sample: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let csv_dir = dir.path().join("csv");
    let status = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.path().join("lo-profile").display()
        ))
        .args(["--headless", "--convert-to"])
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
        .arg("--outdir")
        .arg(&csv_dir)
        .arg(&xlsx)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let read = |sheet: &str| -> Vec<Vec<String>> {
        let path = csv_dir.join(format!("leavers-{sheet}.csv"));
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    };
    let rows = read("Sample");
    let header = &rows[0];
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let items = sample["items"].as_array().unwrap();
    assert_eq!(rows.len() - 1, items.len());
    for (row, item) in rows[1..].iter().zip(items) {
        assert_eq!(row[col("number")], item["number"].to_string());
        assert_eq!(row[col("entry")], item["entry"].to_string());
        assert_eq!(row[col("identity")], item["identity"].as_str().unwrap());
        for a in item["attributes"].as_array().unwrap() {
            let id = a["id"].as_str().unwrap();
            assert_eq!(row[col(id)], a["result"].as_str().unwrap(), "{id}");
            let entries: Vec<String> = a["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.to_string())
                .collect();
            // The entries, then the rows of set entries it cites (`; rows 17:5 17:6`).
            let rows: Vec<String> = a["evidence_rows"]
                .as_array()
                .map(|rows| {
                    rows.iter()
                        .map(|r| format!("{}:{}", r["entry"], r["row"]))
                        .collect()
                })
                .unwrap_or_default();
            let expected = if rows.is_empty() {
                entries.join(" ")
            } else {
                format!("{}; rows {}", entries.join(" "), rows.join(" "))
            };
            assert_eq!(row[col(&format!("{id} evidence"))], expected, "{id}");
            assert_eq!(
                row[col(&format!("{id} auditor"))],
                "",
                "the auditor's column is empty"
            );
        }
    }
    let population = read("Population");
    let listed: Vec<&str> = population[1..].iter().map(|r| r[0].as_str()).collect();
    let expected: Vec<String> = sample["population"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["entry"].to_string())
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(
        listed.len() as u64,
        sample["population"]["count"].as_u64().unwrap()
    );
    let method = read("Method");
    let value = |field: &str| {
        method
            .iter()
            .find(|r| r.first().map(String::as_str) == Some(field))
            .map(|r| r[1].clone())
            .unwrap_or_else(|| panic!("Method has no {field}"))
    };
    assert_eq!(value("seed"), "workpaper");
    assert_eq!(
        value("population digest"),
        sample["population"]["digest"].as_str().unwrap()
    );
    assert_eq!(
        value("population count"),
        sample["population"]["count"].to_string()
    );
    // The appendix is a PDF whose text names every sampled entry.
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for item in items {
        assert!(text.contains(item["key"].as_str().unwrap()), "{item}");
    }
}
