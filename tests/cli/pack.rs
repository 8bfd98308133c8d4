//! The evidence pack on the demo organisation: reproducible bytes, checked by the real
//! `unzip`, `sha256sum -c` and `python3 tools/verify_ledger.py` as an auditor would, and by
//! `evidentia pack verify`; one changed byte fails both; hostile archives are refused without
//! anything being written.

use std::process::Command;
use std::sync::OnceLock;

use crate::export::demo_workspace;
use crate::*;

const GENERATED_AT: &str = "2026-07-01T09:00:00Z";

fn pack(ws: &Path, out: &Path) -> Run {
    run_ws(
        ws,
        &[
            "--json",
            "pack",
            "--framework",
            "nist-csf-2.0",
            "--generated-at",
            GENERATED_AT,
            "--out",
            path_str(out),
        ],
    )
}

/// The demo's pack, made once per test run.
fn demo_pack() -> &'static Path {
    static PACK: OnceLock<PathBuf> = OnceLock::new();
    PACK.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let out = dir.join("pack.zip");
        pack(demo_workspace(), &out).expect_code(0);
        out
    })
}

pub(crate) fn tool(program: &str, args: &[&str], cwd: &Path) -> Run {
    let output = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    Run::from_output(output)
}

/// The pack extracted with the real `unzip` into a fresh folder.
fn unzip(zip: &Path, dir: &Path) -> PathBuf {
    let out = dir.join("extracted");
    std::fs::create_dir(&out).unwrap();
    tool("unzip", &["-q", path_str(zip)], &out).expect_code(0);
    out
}

/// Zips a folder back (Python's zipfile, deflated; the order does not matter to verifiers).
pub(crate) fn rezip(dir: &Path, zip: &Path) {
    let script = "import os, sys, zipfile\n\
        src, dst = sys.argv[1], sys.argv[2]\n\
        with zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED) as z:\n\
        \x20   for root, _, files in os.walk(src):\n\
        \x20       for f in sorted(files):\n\
        \x20           p = os.path.join(root, f)\n\
        \x20           z.write(p, os.path.relpath(p, src))\n";
    tool(
        "python3",
        &["-c", script, path_str(dir), path_str(zip)],
        dir,
    )
    .expect_code(0);
}

fn verify_pack(zip: &Path) -> Run {
    run(&["pack", "verify", path_str(zip)])
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(bytes)?;
            child.wait_with_output()
        })
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn a_pack_is_reproducible_and_verifies_with_standard_tools() {
    let dir = tempfile::tempdir().unwrap();
    let first = demo_pack();
    let again = dir.path().join("again.zip");
    let made = pack(demo_workspace(), &again).expect_code(0).json();
    assert_eq!(
        std::fs::read(first).unwrap(),
        std::fs::read(&again).unwrap(),
        "same workspace and options, same bytes"
    );
    let verified = run(&["--json", "pack", "verify", path_str(first)])
        .expect_code(0)
        .json();
    assert_eq!(verified["intact"], true);
    assert_eq!(verified["checkpoint"], made["checkpoint"]);
    assert_eq!(verified["files"], made["files"]);

    let x = unzip(first, dir.path());
    let sums = tool("sha256sum", &["-c", "--strict", "SHA256SUMS"], &x);
    sums.expect_code(0);
    let lines = std::fs::read_to_string(x.join("SHA256SUMS")).unwrap();
    assert_eq!(sums.stdout.matches(": OK").count(), lines.lines().count());
    for expected in [
        "VERIFY.md",
        "report-nist-csf-2.0.pdf",
        "exports/events.csv",
        "exports/findings.json",
        "oscal/assessment-results.json",
        "ledger.jsonl",
        "tools/verify_ledger.py",
        "manifest.json",
    ] {
        assert!(
            lines.contains(&format!("  {expected}\n")),
            "{expected} in SHA256SUMS"
        );
    }
    assert!(
        std::fs::read(x.join("report-nist-csf-2.0.pdf"))
            .unwrap()
            .starts_with(b"%PDF-")
    );
    let ledger = tool(
        "python3",
        &[
            "tools/verify_ledger.py",
            "ledger.jsonl",
            "--manifest",
            "manifest.json",
        ],
        &x,
    );
    ledger.expect_code(0);
    let head = made["checkpoint"]["head_hash"].as_str().unwrap();
    assert!(ledger.stdout.contains(head), "{ledger:#?}");
    // The checkpoint is the workspace's head, and the artifacts are every imported file.
    assert_eq!(
        made["checkpoint"]["entry_count"].as_u64(),
        Some(entry_count(demo_workspace()))
    );
    let artifacts = std::fs::read_dir(x.join("artifacts")).unwrap().count();
    assert_eq!(artifacts, import_entries(demo_workspace()).len());
}

#[test]
fn one_changed_byte_fails_sha256sum_and_pack_verify() {
    let dir = tempfile::tempdir().unwrap();
    let x = unzip(demo_pack(), dir.path());
    let artifact = std::fs::read_dir(x.join("artifacts"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let artifact = format!(
        "artifacts/{}",
        artifact.file_name().unwrap().to_str().unwrap()
    );
    for (i, target) in [
        "report-nist-csf-2.0.pdf",
        "exports/findings.csv",
        "ledger.jsonl",
        artifact.as_str(),
        "manifest.json",
    ]
    .into_iter()
    .enumerate()
    {
        let copy = dir.path().join(format!("copy{i}"));
        tool("cp", &["-r", path_str(&x), path_str(&copy)], dir.path()).expect_code(0);
        let file = copy.join(target);
        let mut bytes = std::fs::read(&file).unwrap();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x20;
        std::fs::write(&file, &bytes).unwrap();

        let sums = tool("sha256sum", &["-c", "--quiet", "SHA256SUMS"], &copy);
        assert_eq!(
            sums.code,
            Some(1),
            "sha256sum -c passed with {target} changed"
        );
        assert!(
            sums.stdout.contains(&format!("{target}: FAILED")),
            "{sums:#?}"
        );

        let zip = dir.path().join(format!("altered{i}.zip"));
        rezip(&copy, &zip);
        let v = verify_pack(&zip);
        v.expect_code(3);
        assert!(
            v.stdout.starts_with(&format!("ALTERED: {target}: ")),
            "first problem names {target}: {v:#?}"
        );
    }
}

#[test]
fn the_independent_verifier_catches_an_edited_entry_that_sha256sum_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let x = unzip(demo_pack(), dir.path());
    // Change one recorded fact in entry 5's payload, then re-make every checksum so the
    // file-level checks pass and only the chain can tell.
    let ledger_path = x.join("ledger.jsonl");
    let ledger = std::fs::read_to_string(&ledger_path).unwrap();
    let mut lines: Vec<String> = ledger.lines().map(str::to_owned).collect();
    let mut entry: serde_json::Value = serde_json::from_str(&lines[4]).unwrap();
    let payload = entry["payload"].as_str().unwrap().to_owned();
    let edited = payload.replacen("\"", "\"x", 2);
    assert_ne!(payload, edited);
    entry["payload"] = edited.into();
    lines[4] = serde_json::to_string(&entry).unwrap();
    let new_ledger = lines.join("\n") + "\n";
    std::fs::write(&ledger_path, &new_ledger).unwrap();
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(x.join("manifest.json")).unwrap()).unwrap();
    for f in manifest["files"].as_array_mut().unwrap() {
        if f["path"] == "ledger.jsonl" {
            f["size"] = new_ledger.len().into();
            f["sha256"] = sha256_hex(new_ledger.as_bytes()).into();
        }
    }
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).unwrap();
    std::fs::write(x.join("manifest.json"), &manifest_bytes).unwrap();
    let sums = std::fs::read_to_string(x.join("SHA256SUMS")).unwrap();
    let sums: String = sums
        .lines()
        .map(|l| {
            let (_, path) = l.split_once("  ").unwrap();
            let bytes = std::fs::read(x.join(path)).unwrap();
            format!("{}  {path}\n", sha256_hex(&bytes))
        })
        .collect();
    std::fs::write(x.join("SHA256SUMS"), sums).unwrap();

    tool("sha256sum", &["-c", "--quiet", "SHA256SUMS"], &x).expect_code(0);
    let independent = tool(
        "python3",
        &[
            "tools/verify_ledger.py",
            "ledger.jsonl",
            "--manifest",
            "manifest.json",
        ],
        &x,
    );
    independent.expect_code(1);
    assert!(
        independent
            .stdout
            .contains("line 5 (entry 5): payload hash mismatch"),
        "{independent:#?}"
    );
    let zip = dir.path().join("edited.zip");
    rezip(&x, &zip);
    let v = verify_pack(&zip);
    v.expect_code(3);
    assert!(
        v.stdout
            .starts_with("ALTERED: ledger.jsonl: line 5: entry 5: payload hash mismatch"),
        "{v:#?}"
    );
}

/// A zip built by Python's zipfile with exactly these (name, unix mode) entries.
fn hostile_zip(dir: &Path, name: &str, entries: &[(&str, u32)]) -> PathBuf {
    let zip = dir.join(name);
    let list: Vec<String> = entries
        .iter()
        .map(|(n, mode)| format!("({n:?}, 0o{mode:o})"))
        .collect();
    let script = format!(
        "import sys, zipfile\n\
         with zipfile.ZipFile(sys.argv[1], 'w') as z:\n\
         \x20   for name, mode in [{}]:\n\
         \x20       info = zipfile.ZipInfo(name)\n\
         \x20       info.external_attr = mode << 16\n\
         \x20       z.writestr(info, 'owned')\n",
        list.join(", ")
    );
    tool("python3", &["-c", &script, path_str(&zip)], dir).expect_code(0);
    zip
}

#[test]
fn zip_slip_links_and_duplicates_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let unique = format!("evidentia-zipslip-{}", std::process::id());
    let absolute = std::env::temp_dir().join(&unique);
    let absolute_name = path_str(&absolute).to_owned();
    let cases: Vec<(PathBuf, String, &str)> = vec![
        (
            hostile_zip(dir.path(), "dotdot.zip", &[("../escaped.txt", 0o100644)]),
            "../escaped.txt".into(),
            "parent directory",
        ),
        (
            hostile_zip(dir.path(), "absolute.zip", &[(&absolute_name, 0o100644)]),
            absolute_name.clone(),
            "absolute path",
        ),
        (
            hostile_zip(dir.path(), "symlink.zip", &[("SHA256SUMS", 0o120777)]),
            "SHA256SUMS".into(),
            "symbolic link",
        ),
        (
            hostile_zip(
                dir.path(),
                "duplicate.zip",
                &[("manifest.json", 0o100644), ("manifest.json", 0o100644)],
            ),
            "manifest.json".into(),
            "duplicate name",
        ),
    ];
    let before = snapshot(dir.path());
    for (zip, entry, reason) in &cases {
        let output = command(&["pack", "verify", path_str(zip)])
            .current_dir(&work)
            .output()
            .unwrap();
        let v = Run::from_output(output);
        v.expect_code(3);
        assert!(
            v.stdout.starts_with(&format!("ALTERED: {entry}: {reason}")),
            "{v:#?}"
        );
    }
    // Verification extracts nothing: no file appeared anywhere, least of all outside `work`.
    assert!(!dir.path().join("escaped.txt").exists());
    assert!(!absolute.exists());
    assert_same_files(&before, &snapshot(dir.path()));
}

#[test]
fn pack_verify_errors_on_a_missing_file_and_refuses_a_non_zip() {
    let dir = tempfile::tempdir().unwrap();
    run(&["pack", "verify", path_str(&dir.path().join("none.zip"))]).expect_one_line_error();
    let junk = write(dir.path(), "junk.zip", "this is not a zip archive");
    let v = verify_pack(&junk);
    v.expect_code(3);
    assert!(v.stdout.contains("not a readable zip archive"), "{v:#?}");
}

#[test]
fn no_pack_is_made_from_an_altered_ledger() {
    let Some(sqlite3) = sqlite3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ws = crate::export::demo_copy(dir.path());
    sql(
        &sqlite3,
        &ws,
        "DROP TRIGGER ledger_entries_no_update; UPDATE ledger_entries SET payload = CAST('{}' AS BLOB) WHERE seq = 7;",
    );
    let out = dir.path().join("pack.zip");
    let refused = pack(&ws, &out);
    refused.expect_code(3);
    assert!(refused.stderr.contains("entry 7"), "{refused:#?}");
    assert!(!out.exists());
    // No temporary file is left beside the would-be pack either.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("evidentia-pack"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
