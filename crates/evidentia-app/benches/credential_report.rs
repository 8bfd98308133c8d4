//! Times importing a 1,000,000-row AWS credential report against SQLite's own CSV import of the same bytes, so the importer's cost per row has a fixed reference.
//!
//! Run with `cargo bench -p evidentia-app --bench credential_report`. The report is
//! generated into a temporary directory (about 300 MB: far beyond IAM's 5,000-user quota, to
//! show that rows stream with bounded memory); it is then imported through
//! `evidentia_import::import` into a sink that only counts, then into a real workspace through
//! the façade (what `evidentia import` does), and loaded with
//! `sqlite3 :memory: '.mode csv' '.import FILE t'` (skipped with a message when `sqlite3` is
//! not installed). The target is at most 3× SQLite's time.

mod support;

use std::io::{BufWriter, Write};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::TimeZone;
use evidentia_domain::Record;
use evidentia_import::{Format, ImportContext, Origin, RecordSink, SinkError};
use support::import_into_workspace;

const ROWS: u64 = 1_000_000;

const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

/// Counts records and throws them away, so only the importer is timed.
#[derive(Debug, Default)]
struct Counting {
    records: u64,
}

impl RecordSink for Counting {
    fn accept(&mut self, record: Record, _origin: Origin) -> Result<(), SinkError> {
        std::hint::black_box(record);
        self.records += 1;
        Ok(())
    }
}

/// A day-and-second stamp in AWS's spelling, varied by row so parsing is not one cached path.
fn stamp(row: u64, salt: u64) -> String {
    let n = row.wrapping_mul(2_654_435_761).wrapping_add(salt * 7919);
    format!(
        "20{:02}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        15 + n % 8,
        1 + n % 12,
        1 + (n / 12) % 28,
        (n / 7) % 24,
        (n / 11) % 60,
        (n / 13) % 60
    )
}

/// Writes a report of `ROWS` users (plus root) in the mix real reports show: most users with
/// a console password, most with one active key, some with a second (active or inactive),
/// a few with nothing left (offboarded), a few never signed in.
fn write_report(path: &std::path::Path) -> std::io::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    write!(
        out,
        "{HEADER}\n<root_account>,arn:aws:iam::123456789012:root,2015-01-01T00:00:00+00:00,not_supported,2024-01-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    )?;
    for row in 0..ROWS {
        let user = format!("user{row:07}");
        let created = stamp(row, 1);
        let (password, password_used, password_changed) = match row % 10 {
            0..=6 => ("true", stamp(row, 2), stamp(row, 3)),
            7 => ("true", "no_information".to_owned(), stamp(row, 3)),
            _ => ("false", "N/A".to_owned(), "N/A".to_owned()),
        };
        let key1 = if row % 10 == 9 {
            "false,N/A,N/A,N/A,N/A".to_owned()
        } else if row % 4 == 0 {
            format!("true,{},N/A,N/A,N/A", stamp(row, 4))
        } else {
            format!("true,{},{},us-east-1,s3", stamp(row, 4), stamp(row, 5))
        };
        let key2 = match row % 6 {
            0 => format!("true,{},{},eu-west-1,ec2", stamp(row, 6), stamp(row, 7)),
            1 => format!("false,{},N/A,N/A,N/A", stamp(row, 6)),
            _ => "false,N/A,N/A,N/A,N/A".to_owned(),
        };
        let cert = if row % 50 == 0 {
            format!("true,{}", stamp(row, 8))
        } else {
            "false,N/A".to_owned()
        };
        write!(
            out,
            "\n{user},arn:aws:iam::123456789012:user/{user},{created},{password},{password_used},{password_changed},N/A,{},{key1},{key2},{cert},false,N/A",
            if row % 3 == 0 { "true" } else { "false" }
        )?;
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

fn seconds(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("credential_report.csv");
    let started = Instant::now();
    let bytes = write_report(&path).expect("the report is written");
    println!(
        "generated {} rows ({:.1} MB) in {:.2} s: {}",
        ROWS + 1,
        bytes as f64 / 1e6,
        seconds(started.elapsed()),
        path.display()
    );

    let ctx = ImportContext {
        size: Some(bytes),
        as_of: Some(
            chrono::Utc
                .with_ymd_and_hms(2025, 6, 30, 0, 0, 0)
                .single()
                .expect("valid"),
        ),
        ..ImportContext::new("credential_report.csv")
    };
    let mut sink = Counting::default();
    let file = std::fs::File::open(&path).expect("the report opens");
    let started = Instant::now();
    let summary = evidentia_import::import(
        Format::AwsCredentialReport,
        &mut std::io::BufReader::new(file),
        &ctx,
        &mut sink,
        &mut |_| {},
    )
    .expect("the report imports");
    let ours = started.elapsed();
    assert!(
        summary.diagnostics.is_empty(),
        "{:?}",
        summary.diagnostics.first()
    );
    println!(
        "evidentia-import: {} rows -> {} records in {:.2} s ({:.0} rows/s)",
        summary.rows,
        sink.records,
        seconds(ours),
        summary.rows as f64 / seconds(ours)
    );

    let (whole, appended) = import_into_workspace(&path);
    println!(
        "evidentia import into a workspace: {appended} records in {:.2} s",
        seconds(whole)
    );

    let started = Instant::now();
    let sqlite = Command::new("sqlite3")
        .arg(":memory:")
        .arg(".mode csv")
        .arg(format!(".import {} t", path.display()))
        .output();
    let reference = started.elapsed();
    match sqlite {
        Err(e) => println!(
            "reference skipped: cannot run sqlite3 ({e}); install it (apt-get install sqlite3) to compare"
        ),
        Ok(out) if !out.status.success() => println!(
            "reference skipped: sqlite3 failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Ok(_) => {
            println!(
                "sqlite3 :memory: '.mode csv' '.import FILE t': {:.2} s",
                seconds(reference)
            );
            for (what, took) in [("importer alone", ours), ("into a workspace", whole)] {
                let ratio = seconds(took) / seconds(reference);
                println!(
                    "ratio, {what}: {ratio:.2}x sqlite3 (target <= 3x): {}",
                    if ratio <= 3.0 { "met" } else { "NOT met" }
                );
            }
        }
    }
}
