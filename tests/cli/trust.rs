//! Evidence an auditor can trust months later: rows outside the chain are named and never
//! read, checkpoints are signed and checked with openssl, a workspace is checked against a
//! head kept outside it, Merkle proofs stand alone, and packs are checked against a key and
//! an earlier pack.

use std::process::Command;

use crate::export::demo_copy;
use crate::*;

fn tool(program: &str, args: &[&str], cwd: &Path) -> Run {
    let output = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    Run::from_output(output)
}

fn has(program: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        println!("skipping the {program} part: {program} is not installed");
    }
    found
}

/// The recipe an independent tester used: triggers dropped, a forged `record.exception` row
/// inserted at seq 0. `verify` names it; nothing that reads the ledger reads it.
#[test]
fn a_forged_row_outside_the_chain_is_named_and_never_read() {
    let Some(sqlite3) = sqlite3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ws = demo_copy(dir.path());
    verify_intact(&ws);
    sql(
        &sqlite3,
        &ws,
        "DROP TRIGGER IF EXISTS ledger_entries_in_sequence; \
         INSERT INTO ledger_entries SELECT 0, kind, recorded_at, payload, payload_hash, prev_hash, entry_hash \
         FROM ledger_entries WHERE kind = 'record.exception' ORDER BY seq LIMIT 1;",
    );
    let verify = run_ws(&ws, &["verify"]);
    verify.expect_code(3);
    assert!(
        verify.stdout.contains("entry 0") && verify.stdout.contains("outside the chain"),
        "{verify:#?}"
    );
    for args in [
        &["analyze"][..],
        &["findings"],
        &["export", "findings", "--format", "csv", "--out", "f.csv"],
    ] {
        let r = run_ws(&ws, args);
        r.expect_code(3);
        assert!(r.stderr.contains("altered"), "{args:?}: {r:#?}");
    }
    let out = dir.path().join("pack.zip");
    run_ws(&ws, &["pack", "--out", path_str(&out)]).expect_code(3);
    assert!(
        !out.exists(),
        "no pack may be written from an altered ledger"
    );
}

#[test]
fn signed_checkpoints_verify_with_openssl_and_anchor_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo_copy(dir.path());
    let made = run_ws(&ws, &["--json", "checkpoint"]);
    made.expect_code(0);
    let checkpoint = made.json();
    assert_eq!(
        checkpoint["signed"], true,
        "the demo has a signing key: {checkpoint}"
    );
    let count = checkpoint["entry_count"].as_u64().unwrap();
    let head = checkpoint["head_hash"].as_str().unwrap().to_owned();
    let note = run_ws(&ws, &["checkpoint", "--list", "--note"]);
    note.expect_code(0);
    let note_path = write(dir.path(), "checkpoint.note", &note.stdout);
    // A copy as of the checkpoint, to rewrite below.
    let cut = dir.path().join("cut.evidentia");
    std::fs::copy(&ws, &cut).unwrap();
    let lines: Vec<&str> = note.stdout.lines().collect();
    assert!(lines[0].starts_with("evidentia/"), "{note:#?}");
    assert_eq!(lines[1], count.to_string());
    assert!(lines[4].starts_with("\u{2014} evidentia/"), "{note:#?}");
    let pem = run_ws(&ws, &["key", "export"]);
    pem.expect_code(0);
    assert!(
        pem.stdout.starts_with("-----BEGIN PUBLIC KEY-----"),
        "{pem:#?}"
    );
    let pem_path = write(dir.path(), "signing-key.pem", &pem.stdout);
    let vkey = run_ws(&ws, &["key", "export", "--format", "vkey"]);
    vkey.expect_code(0);
    let vkey_path = write(dir.path(), "signing-key.vkey", &vkey.stdout);

    // The documented openssl steps (docs/ledger-format.md §17), word for word.
    if has("openssl") && has("base64") {
        let steps = "head -n 3 checkpoint.note > checkpoint.txt && \
            tail -n 1 checkpoint.note | awk '{print $3}' | base64 -d | tail -c 64 > checkpoint.sig && \
            openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin -in checkpoint.txt -sigfile checkpoint.sig";
        let ok = tool("sh", &["-c", steps], dir.path());
        ok.expect_code(0);
        assert!(
            ok.stdout.contains("Signature Verified Successfully"),
            "{ok:#?}"
        );
        let forged =
            note.stdout
                .replacen(&format!("\n{count}\n"), &format!("\n{}\n", count + 1), 1);
        write(dir.path(), "checkpoint.note", &forged);
        let bad = tool("sh", &["-c", steps], dir.path());
        assert_ne!(
            bad.code,
            Some(0),
            "openssl must refuse a changed size: {bad:#?}"
        );
        write(dir.path(), "checkpoint.note", &note.stdout);
    }

    // The kept head holds, with either key form, and still holds after more evidence.
    for key in [&pem_path, &vkey_path] {
        let held = run_ws(
            &ws,
            &[
                "verify",
                "--trusted-checkpoint",
                path_str(&note_path),
                "--key",
                path_str(key),
            ],
        );
        held.expect_code(0);
        assert!(held.stdout.contains("intact and consistent"), "{held:#?}");
        assert!(held.stdout.contains("signature verifies"), "{held:#?}");
    }
    let more = write(dir.path(), "more.csv", provisioning_csv("later", 4));
    run_ws(
        &ws,
        &["import", "--profile", "provisioning-csv", path_str(&more)],
    )
    .expect_code(0);
    let later = run_ws(
        &ws,
        &[
            "--json",
            "verify",
            "--trusted-checkpoint",
            path_str(&note_path),
            "--key",
            path_str(&pem_path),
        ],
    );
    later.expect_code(0);
    let j = later.json();
    assert_eq!(j["trusted_size"], count);
    assert!(j["entries"].as_u64().unwrap() > count);
    assert!(
        !j["consistency_proof"].as_array().unwrap().is_empty(),
        "{j}"
    );
    run_ws(
        &ws,
        &["verify", "--trusted-checkpoint", &format!("{count}:{head}")],
    )
    .expect_code(0);
    let wrong = run_ws(
        &ws,
        &[
            "verify",
            "--trusted-checkpoint",
            &format!("{count}:{}", "ab".repeat(32)),
        ],
    );
    wrong.expect_code(3);
    assert!(wrong.stdout.contains("diverged"), "{wrong:#?}");

    // Bad input: a malformed note or key is one line, exit 1; another key's view is exit 3.
    let junk = write(dir.path(), "junk.note", "not a note\n");
    run_ws(
        &ws,
        &[
            "verify",
            "--trusted-checkpoint",
            path_str(&junk),
            "--key",
            path_str(&pem_path),
        ],
    )
    .expect_one_line_error();
    let bad_key = write(
        dir.path(),
        "bad.pem",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    );
    run_ws(
        &ws,
        &[
            "verify",
            "--trusted-checkpoint",
            path_str(&note_path),
            "--key",
            path_str(&bad_key),
        ],
    )
    .expect_one_line_error();
    run_ws(&ws, &["verify", "--trusted-checkpoint", "12:nothex"]).expect_one_line_error();
    if has("openssl") {
        tool(
            "openssl",
            &["genpkey", "-algorithm", "ed25519", "-out", "other.pem"],
            dir.path(),
        )
        .expect_code(0);
        tool(
            "openssl",
            &[
                "pkey",
                "-in",
                "other.pem",
                "-pubout",
                "-out",
                "other.pub.pem",
            ],
            dir.path(),
        )
        .expect_code(0);
        let other = run_ws(
            &ws,
            &[
                "verify",
                "--trusted-checkpoint",
                path_str(&note_path),
                "--key",
                path_str(&dir.path().join("other.pub.pem")),
            ],
        );
        other.expect_code(3);
        assert!(other.stdout.contains("not signed by"), "{other:#?}");
    }

    // A rewritten tail (entries removed, the workspace's own checkpoints deleted) verifies on
    // its own; only the head kept outside the file catches it.
    if let Some(sqlite3) = sqlite3() {
        sql(
            &sqlite3,
            &cut,
            "DROP TRIGGER ledger_entries_no_delete; DROP TRIGGER checkpoints_no_delete; \
             DROP TRIGGER checkpoint_trees_no_delete; \
             DELETE FROM ledger_entries WHERE seq > (SELECT MAX(seq) FROM ledger_entries WHERE kind = 'artifact.stored'); \
             DELETE FROM checkpoint_trees; DELETE FROM checkpoints;",
        );
        verify_intact(&cut);
        let caught = run_ws(
            &cut,
            &[
                "verify",
                "--trusted-checkpoint",
                path_str(&note_path),
                "--key",
                path_str(&pem_path),
            ],
        );
        caught.expect_code(3);
        assert!(caught.stdout.contains("truncated"), "{caught:#?}");
    }
}

/// A checkpoint whose head is not 32 bytes is an alteration (exit 3), not an error (§19).
#[test]
fn a_malformed_checkpoint_is_altered() {
    let Some(sqlite3) = sqlite3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    run_ws(&ws, &["checkpoint"]).expect_code(0);
    sql(
        &sqlite3,
        &ws,
        "DROP TRIGGER checkpoints_no_update; UPDATE checkpoints SET head_hash = X'00';",
    );
    let r = run_ws(&ws, &["verify"]);
    r.expect_code(3);
    assert!(r.stdout.contains("checkpoint 1"), "{r:#?}");
}

#[test]
fn proofs_stand_alone() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo_copy(dir.path());
    // No checkpoint yet: an inclusion proof has nothing to anchor to.
    run_ws(&ws, &["proof", "inclusion", "5"]).expect_one_line_error();
    run_ws(&ws, &["checkpoint"]).expect_code(0);
    let inclusion = run_ws(&ws, &["proof", "inclusion", "5"]);
    inclusion.expect_code(0);
    let lines: Vec<&str> = inclusion.stdout.lines().collect();
    assert_eq!(lines[0], "c2sp.org/tlog-proof@v1");
    assert!(lines[1].starts_with("extra "), "{inclusion:#?}");
    assert_eq!(lines[2], "index 4");
    let consistency = run_ws(&ws, &["proof", "consistency", "3"]);
    consistency.expect_code(0);
    assert!(
        consistency
            .stdout
            .starts_with("evidentia/consistency-proof@v1\nold 3 "),
        "{consistency:#?}"
    );
    run_ws(&ws, &["proof", "inclusion", "999999999"]).expect_one_line_error();
    run_ws(&ws, &["proof", "consistency", "5", "3"]).expect_one_line_error();

    // `proof verify` checks them with no workspace at all, against the exported key.
    let key = dir.path().join("pub.pem");
    run_ws(&ws, &["key", "export", "--out", path_str(&key)]).expect_code(0);
    let inc = write(dir.path(), "inc.proof", &inclusion.stdout);
    let con = write(dir.path(), "con.proof", &consistency.stdout);
    run(&["proof", "verify", path_str(&inc), "--key", path_str(&key)]).expect_code(0);
    run(&["proof", "verify", path_str(&con)]).expect_code(0);
    let moved = write(
        dir.path(),
        "moved.proof",
        inclusion.stdout.replacen("index 4", "index 5", 1),
    );
    run(&["proof", "verify", path_str(&moved)]).expect_code(3);
    let flipped: String = {
        let mut lines: Vec<String> = consistency.stdout.lines().map(str::to_owned).collect();
        let last = lines.last_mut().unwrap();
        let c = if last.starts_with('A') { "B" } else { "A" };
        last.replace_range(0..1, c);
        lines.join("\n") + "\n"
    };
    let flipped = write(dir.path(), "flipped.proof", flipped);
    run(&["proof", "verify", path_str(&flipped)]).expect_code(3);
    let junk = write(dir.path(), "junk.proof", "nothing here\n");
    run(&["proof", "verify", path_str(&junk)]).expect_one_line_error();
    // The pack's own verifier agrees.
    let py = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/verify_ledger.py");
    tool(
        "python3",
        &[py, "--proof", path_str(&inc), "--key", path_str(&key)],
        dir.path(),
    )
    .expect_code(0);
    tool("python3", &[py, "--proof", path_str(&moved)], dir.path()).expect_code(1);
}

#[test]
fn packs_are_signed_complete_and_consistent_with_earlier_packs() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo_copy(dir.path());
    let earlier = dir.path().join("earlier.zip");
    run_ws(&ws, &["pack", "--out", path_str(&earlier)]).expect_code(0);
    let more = write(dir.path(), "more.csv", provisioning_csv("later", 4));
    run_ws(
        &ws,
        &["import", "--profile", "provisioning-csv", path_str(&more)],
    )
    .expect_code(0);
    let later = dir.path().join("later.zip");
    run_ws(&ws, &["pack", "--out", path_str(&later)]).expect_code(0);
    let pem = run_ws(
        &ws,
        &[
            "key",
            "export",
            "--out",
            path_str(&dir.path().join("pub.pem")),
        ],
    );
    pem.expect_code(0);
    let key = dir.path().join("pub.pem");

    run(&["pack", "verify", path_str(&later), "--key", path_str(&key)]).expect_code(0);
    run(&[
        "pack",
        "verify",
        path_str(&later),
        "--against",
        path_str(&earlier),
    ])
    .expect_code(0);
    let backwards = run(&[
        "pack",
        "verify",
        path_str(&earlier),
        "--against",
        path_str(&later),
    ]);
    backwards.expect_code(3);

    // A committed artifact removed, SHA256SUMS and the manifest rewritten to match.
    let x = dir.path().join("x");
    std::fs::create_dir(&x).unwrap();
    tool("unzip", &["-q", path_str(&later)], &x).expect_code(0);
    let names: Vec<String> = std::fs::read_dir(x.join("artifacts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let victim = names.iter().min().unwrap().clone();
    // One finding's proof stands alone, and its words are signed: a severity changed in it is
    // caught with the key alone.
    let proof = x.join("proofs/findings/0001.json");
    run(&["proof", "verify", path_str(&proof), "--key", path_str(&key)]).expect_code(0);
    let mut edited: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&proof).unwrap()).unwrap();
    let severity = edited["finding"]["severity"].as_str().unwrap().to_owned();
    edited["finding"]["severity"] = if severity == "low" { "high" } else { "low" }.into();
    let edited = write(dir.path(), "edited-proof.json", edited.to_string());
    let caught = run(&[
        "proof",
        "verify",
        path_str(&edited),
        "--key",
        path_str(&key),
    ]);
    caught.expect_code(3);
    assert!(caught.stdout.contains("finding_note"), "{caught:#?}");
    let script = format!(
        "import json, os\n\
         os.remove('artifacts/{victim}')\n\
         sums = [l for l in open('SHA256SUMS') if not l.rstrip().endswith('artifacts/{victim}')]\n\
         open('SHA256SUMS', 'w').writelines(sums)\n\
         m = json.load(open('manifest.json'))\n\
         m['files'] = [f for f in m['files'] if f['path'] != 'artifacts/{victim}']\n\
         open('manifest.json', 'w').write(json.dumps(m, indent=2))\n\
         import zipfile\n\
         with zipfile.ZipFile('../cut.zip', 'w', zipfile.ZIP_DEFLATED) as z:\n\
         \x20   for root, _, files in os.walk('.'):\n\
         \x20       for f in sorted(files):\n\
         \x20           p = os.path.join(root, f)\n\
         \x20           z.write(p, os.path.relpath(p, '.'))\n"
    );
    tool("python3", &["-c", &script], &x).expect_code(0);
    let cut = run(&["pack", "verify", path_str(&dir.path().join("cut.zip"))]);
    cut.expect_code(3);
    assert!(
        cut.stdout.contains(&victim[..64]) && cut.stdout.contains("not in the pack"),
        "{cut:#?}"
    );
}
