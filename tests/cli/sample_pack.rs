//! `evidentia pack --sample` on the demo organisation: the selective pack verifies with `pack verify` and with the independent Python verifier, names nobody outside the sample and its own evidence, catches an edited proof, and refuses bad or stale sample files without writing anything.

use std::collections::BTreeSet;

use crate::export::{demo_copy, demo_workspace};
use crate::pack::{rezip, sha256_hex, tool};
use crate::*;

const SEED: &str = "audit-2025";
const GENERATED_AT: &str = "2026-07-01T09:00:00Z";

fn verifier() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/verify_ledger.py").to_owned()
}

/// `evidentia sample POPULATION --size N --seed audit-2025 --out FILE` on `ws`.
fn draw(ws: &Path, population: &str, size: &str, out: &Path) {
    run_ws(
        ws,
        &[
            "sample",
            population,
            "--size",
            size,
            "--seed",
            SEED,
            "--out",
            path_str(out),
        ],
    )
    .expect_code(0);
}

fn sample_pack(ws: &Path, sample: &Path, out: &Path) -> Run {
    run_ws(
        ws,
        &[
            "--json",
            "pack",
            "--sample",
            path_str(sample),
            "--generated-at",
            GENERATED_AT,
            "--out",
            path_str(out),
        ],
    )
}

/// The pack extracted with the real `unzip` into `dir/name`.
fn unzip(zip: &Path, dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    std::fs::create_dir(&out).unwrap();
    tool("unzip", &["-q", path_str(zip)], &out).expect_code(0);
    out
}

/// Every file of an extracted folder, relative name and bytes.
fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Re-makes `manifest.json`'s entries and `SHA256SUMS` after a file was edited, so only the
/// proofs themselves can tell.
fn rewrite_sums(x: &Path) {
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(x.join("manifest.json")).unwrap()).unwrap();
    for f in manifest["files"].as_array_mut().unwrap() {
        let bytes = std::fs::read(x.join(f["path"].as_str().unwrap())).unwrap();
        f["size"] = bytes.len().into();
        f["sha256"] = sha256_hex(&bytes).into();
    }
    let mut bytes = serde_json::to_vec_pretty(&manifest).unwrap();
    bytes.push(b'\n');
    std::fs::write(x.join("manifest.json"), &bytes).unwrap();
    let sums: String = std::fs::read_to_string(x.join("SHA256SUMS"))
        .unwrap()
        .lines()
        .map(|l| {
            let (_, path) = l.split_once("  ").unwrap();
            format!(
                "{}  {path}\n",
                sha256_hex(&std::fs::read(x.join(path)).unwrap())
            )
        })
        .collect();
    std::fs::write(x.join("SHA256SUMS"), sums).unwrap();
}

/// Identity ids (`E1234`, `C2001`, `NHI-0116`, any case) in a text, as whole words.
fn identity_ids(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| {
            let u = w.to_ascii_uppercase();
            let digits = |s: &str| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit());
            u.strip_prefix("NHI-").is_some_and(digits)
                || ((u.starts_with('E') || u.starts_with('C')) && digits(&u[1..]))
        })
        .map(str::to_ascii_uppercase)
        .collect()
}

/// Every identity id the demo's people, approvals and review decisions name.
fn everyone(ws: &Path) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    for kind in [
        "record.lifecycle_event",
        "record.approval",
        "record.review_decision",
        "record.exception",
    ] {
        let out = run_ws(ws, &["--json", "log", "--kind", kind, "--limit", "100000"]);
        out.expect_code(0);
        all.extend(identity_ids(&out.stdout));
    }
    all
}

/// Makes a selective pack of `population` × `size` on the demo and checks it every way.
fn made_and_verified(dir: &Path, population: &str, size: &str) -> PathBuf {
    let sample = dir.join(format!("{population}.json"));
    draw(demo_workspace(), population, size, &sample);
    let zip = dir.join(format!("{population}.zip"));
    let made = sample_pack(demo_workspace(), &sample, &zip)
        .expect_code(0)
        .json();
    assert_eq!(made["kind"], "sample");
    assert_eq!(made["items"], size.parse::<u64>().unwrap());
    assert_eq!(made["signed"], true);
    let verified = run(&["--json", "pack", "verify", path_str(&zip)])
        .expect_code(0)
        .json();
    assert_eq!(verified["intact"], true);
    assert_eq!(verified["format"], "evidentia-sample-pack/1");
    assert_eq!(verified["checkpoint"], made["checkpoint"]);

    let x = unzip(&zip, dir, &format!("{population}-x"));
    tool(
        "sha256sum",
        &["-c", "--strict", "--quiet", "SHA256SUMS"],
        &x,
    )
    .expect_code(0);
    let names: Vec<String> = files_of(&x).into_iter().map(|(n, _)| n).collect();
    for absent in ["ledger.jsonl", "artifacts", "exports", "oscal"] {
        assert!(
            !names.iter().any(|n| n.starts_with(absent)),
            "{absent} in {names:?}"
        );
    }
    let proofs: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("proofs/sample/"))
        .collect();
    assert_eq!(proofs.len().to_string(), size);
    for proof in proofs {
        let v = tool(
            "python3",
            &[&verifier(), "--proof", proof, "--key", "signing-key.pem"],
            &x,
        );
        v.expect_code(0);
        assert!(v.stdout.contains("sample item"), "{v:#?}");
    }
    let sample: serde_json::Value =
        serde_json::from_slice(&std::fs::read(x.join("sample.json")).unwrap()).unwrap();
    assert!(sample.pointer("/population/items").is_none());
    assert!(sample.pointer("/population/digest").is_some());
    zip
}

#[test]
fn a_selective_pack_verifies_with_pack_verify_and_the_python_verifier() {
    let dir = tempfile::tempdir().unwrap();
    made_and_verified(dir.path(), "leavers", "5");
    made_and_verified(dir.path(), "review-revokes", "3");
}

#[test]
fn a_selective_pack_names_nobody_outside_the_sample_and_its_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let everyone = everyone(demo_workspace());
    assert!(everyone.len() > 100, "{} identities", everyone.len());
    for (population, size) in [("leavers", "5"), ("review-revokes", "3")] {
        let zip = made_and_verified(dir.path(), population, size);
        let x = unzip(&zip, dir.path(), &format!("{population}-grep"));
        // Who the pack may name: the sampled items, and whoever their disclosed records and
        // raw lines name (a manager, an approver, a reviewer).
        let mut named = BTreeSet::new();
        let mut items = 0usize;
        let mut withheld = 0usize;
        for (name, bytes) in files_of(&x) {
            if !name.starts_with("proofs/sample/") {
                continue;
            }
            items += 1;
            let proof: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            if let Some(id) = proof["item"]["identity"].as_str() {
                named.insert(id.to_ascii_uppercase());
            }
            for e in proof["entries"].as_array().unwrap() {
                // A set entry's cited rows, disclosed alone beside its withheld payload.
                for row in e["rows"].as_array().into_iter().flatten() {
                    named.extend(identity_ids(&row["record"].to_string()));
                    named.extend(identity_ids(row["raw_line"].as_str().unwrap_or_default()));
                }
                if e["entry"]["payload"].is_null() {
                    withheld += 1;
                    assert!(e["payload_withheld"].is_string());
                    assert!(e["raw_line"].is_null());
                    continue;
                }
                named.extend(identity_ids(e["entry"]["payload"].as_str().unwrap()));
                named.extend(identity_ids(e["raw_line"].as_str().unwrap_or_default()));
            }
        }
        assert!(items > 0);
        assert!(
            named.len() <= items * 4,
            "{population}: the pack names {} identities for {items} items: {named:?}",
            named.len()
        );
        assert!(
            named.iter().all(|id| everyone.contains(id)),
            "{named:?} are the demo's"
        );
        let others: Vec<&String> = everyone.difference(&named).collect();
        assert!(others.len() > 100);
        let names: Vec<String> = files_of(&x).into_iter().map(|(n, _)| n).collect();
        assert!(
            names.contains(&"sample/workpaper.xlsx".to_owned()),
            "{names:?}"
        );
        assert!(
            names.contains(&"sample/appendix.pdf".to_owned()),
            "{names:?}"
        );
        for (name, bytes) in files_of(&x) {
            // The workpaper is a zip of XML and the appendix a PDF: read what a person would.
            let text = if name.ends_with(".xlsx") {
                tool("unzip", &["-p", &name], &x)
                    .expect_code(0)
                    .stdout
                    .clone()
            } else if name.ends_with(".pdf") {
                tool("pdftotext", &[&name, "-"], &x)
                    .expect_code(0)
                    .stdout
                    .clone()
            } else {
                String::from_utf8_lossy(&bytes).into_owned()
            };
            let found = identity_ids(&text);
            let leaked: Vec<&&String> = others.iter().filter(|id| found.contains(**id)).collect();
            assert!(
                leaked.is_empty(),
                "{population}: {name} names {leaked:?}, outside the sample and its evidence"
            );
        }
        if population == "review-revokes" {
            assert!(
                withheld > 0,
                "snapshot rows about other accounts are withheld"
            );
        }
    }
}

#[test]
fn an_edited_proof_fails_pack_verify_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let zip = made_and_verified(dir.path(), "leavers", "5");

    // One byte of a disclosed payload, with the manifest and the sums re-made.
    let x = unzip(&zip, dir.path(), "payload");
    let proof_path = x.join("proofs/sample/0002.json");
    let mut proof: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&proof_path).unwrap()).unwrap();
    let payload = proof["entries"][0]["entry"]["payload"]
        .as_str()
        .unwrap()
        .to_owned();
    let edited = payload.replacen("leaver", "leaveR", 1);
    assert_ne!(payload, edited);
    proof["entries"][0]["entry"]["payload"] = edited.into();
    std::fs::write(&proof_path, serde_json::to_vec_pretty(&proof).unwrap()).unwrap();
    rewrite_sums(&x);
    tool("sha256sum", &["-c", "--quiet", "SHA256SUMS"], &x).expect_code(0);
    let edited_zip = dir.path().join("payload.zip");
    rezip(&x, &edited_zip);
    let v = run(&["pack", "verify", path_str(&edited_zip)]);
    v.expect_code(3);
    assert!(
        v.stdout.contains("proofs/sample/0002.json: entry ")
            && v.stdout.contains("payload hash mismatch"),
        "{v:#?}"
    );
    let py = tool(
        "python3",
        &[&verifier(), "--proof", "proofs/sample/0002.json"],
        &x,
    );
    py.expect_code(1);
    assert!(py.stdout.contains("payload hash mismatch"), "{py:#?}");

    // One inclusion hash flipped.
    let x = unzip(&zip, dir.path(), "inclusion");
    let proof_path = x.join("proofs/sample/0001.json");
    let mut proof: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&proof_path).unwrap()).unwrap();
    let hash = proof["entries"][0]["inclusion"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let flipped = format!(
        "{}{}",
        if hash.starts_with('0') { "1" } else { "0" },
        &hash[1..]
    );
    proof["entries"][0]["inclusion"][0] = flipped.into();
    std::fs::write(&proof_path, serde_json::to_vec_pretty(&proof).unwrap()).unwrap();
    rewrite_sums(&x);
    let edited_zip = dir.path().join("inclusion.zip");
    rezip(&x, &edited_zip);
    let v = run(&["pack", "verify", path_str(&edited_zip)]);
    v.expect_code(3);
    assert!(
        v.stdout.contains("proofs/sample/0001.json: entry ")
            && v.stdout
                .contains("inclusion proof does not lead to the tree root"),
        "{v:#?}"
    );
    tool(
        "python3",
        &[&verifier(), "--proof", "proofs/sample/0001.json"],
        &x,
    )
    .expect_code(1);
}

#[test]
fn bad_sample_files_are_refused_without_writing_and_an_earlier_sample_still_packs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never.zip");
    let refused = |sample: &Path, ws: &Path, says: &str| {
        let r = sample_pack(ws, sample, &out);
        r.expect_code(1);
        assert!(r.stderr.contains(says), "{says:?} in {r:#?}");
        assert!(!out.exists(), "nothing written");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".evidentia-pack-")
            })
            .collect();
        assert!(leftovers.is_empty(), "no temporary file left");
    };
    let missing = dir.path().join("missing.json");
    refused(&missing, demo_workspace(), "missing.json");
    let not_json = write(
        dir.path(),
        "notes.json",
        "{\"format\": \"evidentia-sample/1\",\n oops",
    );
    refused(&not_json, demo_workspace(), "notes.json: not JSON (line 2");
    let other = write(
        dir.path(),
        "other.json",
        "{\"format\": \"evidentia-finding-proof/1\"}",
    );
    refused(&other, demo_workspace(), "not an Evidentia sample file");

    // Drawn, then one more file imported: the sample is drawn again from the ledger as it
    // stood (its head is a prefix of today's) and the pack proves its items against today's
    // checkpoint.
    let ws = demo_copy(dir.path());
    let sample = dir.path().join("earlier.json");
    draw(&ws, "leavers", "5", &sample);
    let before = entry_count(&ws);
    let csv = write(dir.path(), "grants.csv", provisioning_csv("late", 1));
    run_ws(
        &ws,
        &["import", "--profile", "provisioning-csv", path_str(&csv)],
    )
    .expect_code(0);
    assert!(entry_count(&ws) > before);
    let later = dir.path().join("later.zip");
    sample_pack(&ws, &sample, &later).expect_code(0);
    run(&["pack", "verify", path_str(&later)]).expect_code(0);
    // A head this ledger does not contain (another workspace's sample, or a rewritten one).
    let mut foreign: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sample).unwrap()).unwrap();
    foreign["population"]["ledger_head"]["hash"] = "ab".repeat(32).into();
    let foreign = write(
        dir.path(),
        "foreign.json",
        serde_json::to_vec(&foreign).unwrap(),
    );
    refused(&foreign, &ws, "that this ledger");
    // An item key edited in the file: it no longer draws again as it says.
    let mut fresh: serde_json::Value = {
        let again = dir.path().join("fresh.json");
        draw(&ws, "leavers", "5", &again);
        serde_json::from_slice(&std::fs::read(&again).unwrap()).unwrap()
    };
    fresh["items"][0]["key"] = "1".into();
    let edited = write(
        dir.path(),
        "edited.json",
        serde_json::to_vec(&fresh).unwrap(),
    );
    refused(&edited, &ws, "does not draw again as it says");
}

#[test]
fn no_selective_pack_is_made_from_an_altered_ledger() {
    let Some(sqlite3) = sqlite3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ws = demo_copy(dir.path());
    let sample = dir.path().join("leavers.json");
    draw(&ws, "leavers", "5", &sample);
    sql(
        &sqlite3,
        &ws,
        "DROP TRIGGER ledger_entries_no_update; UPDATE ledger_entries SET payload = CAST('{}' AS BLOB) WHERE seq = 7;",
    );
    let out = dir.path().join("never.zip");
    let refused = sample_pack(&ws, &sample, &out);
    refused.expect_code(3);
    assert!(refused.stderr.contains("entry 7"), "{refused:#?}");
    assert!(!out.exists());
}
