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
