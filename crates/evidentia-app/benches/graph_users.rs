//! Times a 200,000-user Microsoft Graph export through `import` against `jq` reading the same file, so the importer's cost is judged against a plain JSON reader's.
//!
//! Run: `cargo bench -p evidentia-app --bench graph_users`. The reference is
//! `jq -c '.value[]' FILE | wc -l` (skipped, with a message, when `jq` is not installed); the
//! target is at most 3× its time.

mod support;

use std::io::{BufWriter, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::TimeZone;
use evidentia_domain::Record;
use evidentia_import::{Format, ImportContext, Origin, RecordSink, SinkError};
use support::import_into_workspace;

const USERS: usize = 200_000;

/// Counts records without keeping them, so the sink costs nothing measurable.
struct Counting(u64);

impl RecordSink for Counting {
    fn accept(&mut self, _record: Record, _origin: Origin) -> Result<(), SinkError> {
        self.0 += 1;
        Ok(())
    }
}

/// Writes `{"@odata.context": …, "value": [...]}` with every property a
/// `$select=…,accountEnabled,signInActivity` request returns.
fn write_export(path: &std::path::Path) -> std::io::Result<u64> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    write!(
        out,
        "{{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,userPrincipalName,mail,userType,accountEnabled,createdDateTime,signInActivity)\",\"value\":["
    )?;
    for i in 0..USERS {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        let never = i % 7 == 0;
        let last = if never {
            "0001-01-01T00:00:00Z".to_owned()
        } else {
            format!(
                "2025-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                1 + i % 12,
                1 + i % 28,
                i % 24,
                i % 60,
                (i / 60) % 60
            )
        };
        write!(
            out,
            "{{\"id\":\"{:08x}-0000-4000-8000-{:012x}\",\"displayName\":\"User {i}\",\"userPrincipalName\":\"user{i}@contoso.com\",\"mail\":\"user{i}@contoso.com\",\"userType\":\"{}\",\"accountEnabled\":{},\"createdDateTime\":\"2023-01-15T10:30:00Z\",\"signInActivity\":{{\"lastSignInDateTime\":\"{last}\",\"lastSignInRequestId\":\"{:032x}\",\"lastNonInteractiveSignInDateTime\":\"{last}\",\"lastNonInteractiveSignInRequestId\":\"\",\"lastSuccessfulSignInDateTime\":\"{last}\",\"lastSuccessfulSignInRequestId\":\"\"}}}}",
            i,
            i,
            if i % 50 == 0 { "Guest" } else { "Member" },
            i % 13 != 0,
            i
        )?;
    }
    out.write_all(b"]}\n")?;
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("users.json");
    let size = write_export(&path).expect("the export is written");
    println!(
        "graph_users: {USERS} users, {:.1} MiB",
        size as f64 / (1024.0 * 1024.0)
    );

    let mut ctx = ImportContext::new("users.json");
    ctx.size = Some(size);
    ctx.as_of = chrono::Utc.with_ymd_and_hms(2025, 6, 30, 12, 0, 0).single();
    let started = Instant::now();
    let file = std::fs::File::open(&path).expect("the export opens");
    let mut input = std::io::BufReader::new(file);
    let mut sink = Counting(0);
    let summary = evidentia_import::import(
        Format::GraphDirectory,
        &mut input,
        &ctx,
        &mut sink,
        &mut |_| {},
    )
    .expect("the export imports");
    let ours = started.elapsed();
    assert_eq!(sink.0, USERS as u64);
    assert!(summary.diagnostics.is_empty());
    println!(
        "graph_users: import   {:>8.3} s ({} rows)",
        ours.as_secs_f64(),
        sink.0
    );

    let (whole, appended) = import_into_workspace(&path);
    println!(
        "graph_users: into a workspace {:>8.3} s ({appended} records)",
        whole.as_secs_f64()
    );

    match jq_time(&path) {
        None => println!("graph_users: jq not found; reference skipped (apt-get install jq)"),
        Some((reference, lines)) => {
            assert_eq!(lines, USERS as u64);
            println!(
                "graph_users: jq -c '.value[]' | wc -l {:>8.3} s ({lines} lines)",
                reference.as_secs_f64()
            );
            for (what, took) in [("importer alone", ours), ("into a workspace", whole)] {
                let ratio = took.as_secs_f64() / reference.as_secs_f64();
                println!(
                    "graph_users: ratio, {what}: {ratio:.2}x (target at most 3x) {}",
                    if ratio <= 3.0 { "ok" } else { "OVER TARGET" }
                );
            }
        }
    }
}

/// `jq -c '.value[]' FILE | wc -l`: its time and the line count, or `None` without jq.
fn jq_time(path: &std::path::Path) -> Option<(Duration, u64)> {
    let started = Instant::now();
    let mut jq = Command::new("jq")
        .arg("-c")
        .arg(".value[]")
        .arg(path)
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let wc = Command::new("wc")
        .arg("-l")
        .stdin(jq.stdout.take()?)
        .output()
        .ok()?;
    jq.wait().ok()?;
    let elapsed = started.elapsed();
    let lines = String::from_utf8_lossy(&wc.stdout).trim().parse().ok()?;
    Some((elapsed, lines))
}
