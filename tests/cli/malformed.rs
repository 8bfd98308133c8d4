//! Malformed inputs are data, not crashes: each is refused with exit 1 and an error naming the
//! file and where in it, and the ledger is left exactly as it was.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::{
    PROVISIONING_HEADER, cloudtrail, command, create_user, entry_count, init_ws, path_str,
    real_samples, run_ws, write,
};

/// Imports `file` with `flags`, expects a refusal naming it, and checks the ledger did not move.
/// Returns stderr.
#[track_caller]
fn rejected(ws: &Path, file: &Path, flags: &[&str]) -> String {
    let before = entry_count(ws);
    let mut args = vec!["import"];
    args.extend_from_slice(flags);
    args.push(path_str(file));
    let run = run_ws(ws, &args);
    run.expect_code(1);
    assert!(run.stderr.starts_with("error: "), "{run:#?}");
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(
        run.stderr.contains(name),
        "the error must name the file: {run:#?}"
    );
    assert!(!run.stderr.contains("panicked"), "{run:#?}");
    assert_eq!(
        entry_count(ws),
        before,
        "a refused file must leave the ledger unchanged"
    );
    run.stderr
}

/// Asserts the message points into the file: `NAME:line N` or `NAME:/json/pointer`.
#[track_caller]
fn names_location(stderr: &str, file: &Path, location: &str) {
    let name = file.file_name().unwrap().to_str().unwrap();
    let wanted = format!("{name}:{location}");
    assert!(stderr.contains(&wanted), "expected `{wanted}` in: {stderr}");
}

#[test]
fn truncated_cloudtrail_written_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let file = write(
        dir.path(),
        "cloudtrail-cut.json",
        r#"{"Records":[{"eventName":"CreateUser""#,
    );
    let stderr = rejected(&ws, &file, &[]);
    names_location(&stderr, &file, "line 1");
    // Named explicitly, whatever the file is called.
    let file = write(
        dir.path(),
        "cut.json",
        r#"{"Records":[{"eventName":"CreateUser""#,
    );
    let stderr = rejected(&ws, &file, &["--format", "cloudtrail"]);
    names_location(&stderr, &file, "line 1");
}

#[test]
fn first_half_of_a_real_cloudtrail_sample() {
    let Some(samples) = real_samples() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let whole =
        std::fs::read(samples.join("cloudtrail/stratus-red-team_iam-detonations.json")).unwrap();
    let file = write(dir.path(), "first-half.json", &whole[..whole.len() / 2]);
    let stderr = rejected(&ws, &file, &[]);
    names_location(&stderr, &file, "line ");
}

#[test]
fn cloudtrail_record_with_a_bad_event_time() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let good = create_user("alice", "2024-03-04T10:00:00Z");
    let bad = create_user("bob", "yesterday at noon");
    let file = write(dir.path(), "bad-time.json", cloudtrail(&[&good, &bad]));
    let stderr = rejected(&ws, &file, &[]);
    names_location(&stderr, &file, "/Records/1/eventTime");
}

/// Deterministic "random" bytes with NULs sprinkled in (no rand dependency for one test).
fn junk(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|i| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            if i % 97 == 0 { 0 } else { (state >> 56) as u8 }
        })
        .collect()
}

#[test]
fn binary_junk() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let file = write(dir.path(), "junk.bin", junk(64 * 1024));
    // Unrecognised as it is: a whole-file problem, so the file is named without a line.
    rejected(&ws, &file, &[]);
    // Read as a format it claims to be, it is refused at its first byte.
    let stderr = rejected(&ws, &file, &["--format", "cloudtrail"]);
    names_location(&stderr, &file, "line 1");
    let stderr = rejected(
        &ws,
        &file,
        &["--format", "csv", "--profile", "provisioning-csv"],
    );
    names_location(&stderr, &file, "line 1");
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let file = write(dir.path(), "empty.json", "");
    // A whole-file problem: the file is named, there is no line to point at.
    rejected(&ws, &file, &[]);
    let stderr = rejected(&ws, &file, &["--format", "cloudtrail"]);
    assert!(stderr.contains("empty"), "{stderr}");
    rejected(&ws, &file, &["--profile", "provisioning-csv"]);
}

#[test]
fn provisioning_csv_with_an_unknown_action_and_a_bad_date() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let mut csv = PROVISIONING_HEADER.to_owned();
    csv.push_str("03/04/2024 10:00,finance-app,alice,Add Role,approver,admin,Success,REQ-1\n");
    csv.push_str("03/04/2024 10:01,finance-app,bob,Promote,approver,admin,Success,REQ-2\n");
    csv.push_str("31/31/2024 10:02,finance-app,carol,Add Role,approver,admin,Success,REQ-3\n");
    let file = write(dir.path(), "bad-rows.csv", csv);
    let stderr = rejected(&ws, &file, &["--profile", "provisioning-csv"]);
    names_location(&stderr, &file, "line 3");
    assert!(stderr.contains("Promote"), "{stderr}");
    names_location(&stderr, &file, "line 4");
    assert!(stderr.contains("31/31/2024"), "{stderr}");
    assert!(
        stderr.contains("--skip-invalid"),
        "the refusal should say how to import the rest: {stderr}"
    );
}

#[test]
fn csv_with_the_wrong_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let csv = PROVISIONING_HEADER.replace(',', ";")
        + "03/04/2024 10:00;finance-app;alice;Add Role;approver;admin;Success;REQ-1\n";
    let file = write(dir.path(), "semicolons.csv", csv);
    let stderr = rejected(&ws, &file, &["--profile", "provisioning-csv"]);
    names_location(&stderr, &file, "line 1");
    assert!(stderr.contains("delimiter"), "{stderr}");
}

/// A 200 MB file that is one line: refused in bounded time (and, printed, bounded memory).
#[test]
fn a_200_mb_single_line_is_refused_and_does_not_hang() {
    const SIZE: usize = 200 << 20;
    let dir = tempfile::tempdir().unwrap();
    let ws = init_ws(dir.path());
    let file = dir.path().join("one-line.csv");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..SIZE / chunk.len() {
            out.write_all(&chunk).unwrap();
        }
        out.flush().unwrap();
    }
    let before = entry_count(&ws);

    let stats = dir.path().join("time-v.txt");
    let args = [
        "--workspace",
        path_str(&ws),
        "import",
        "--format",
        "csv",
        "--profile",
        "provisioning-csv",
        path_str(&file),
    ];
    let time = Path::new("/usr/bin/time");
    let mut child = if time.exists() {
        let mut timed = std::process::Command::new(time);
        timed
            .args([
                "-v",
                "-o",
                path_str(&stats),
                env!("CARGO_BIN_EXE_evidentia"),
            ])
            .args(args)
            .env_remove("EVIDENTIA_WORKSPACE")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        timed.spawn().unwrap()
    } else {
        command(&args).spawn().unwrap()
    };

    let started = Instant::now();
    let limit = Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("importing a 200 MB single line did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("200 MB single line refused in {:.1?}", started.elapsed());
    if let Ok(stats) = std::fs::read_to_string(&stats) {
        if let Some(rss) = stats
            .lines()
            .find(|l| l.contains("Maximum resident set size"))
        {
            println!("peak RSS: {}", rss.trim());
        }
    }

    assert_eq!(status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    names_location(&stderr, &file, "line 1");
    assert_eq!(entry_count(&ws), before);
}
