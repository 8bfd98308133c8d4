//! A team workspace's bulk paths on a real PostgreSQL server (issue #18): a 1,000,000-row
//! provisioning CSV imported through the façade against `psql \copy` of the same file into a
//! plain table (target ≤ 3×), then `analyze` over those 1M executions read back from the
//! server (target < 8 s); the same import and analysis into a SQLite file for comparison.
//!
//! Run: `make bench-pg` (starts and stops a throwaway cluster), or with a server of your own
//! `EVIDENTIA_TEST_PG_URL=postgres://… cargo bench -p evidentia-app --bench pg_import`
//! (`EVIDENTIA_BENCH_ROWS` changes N). Without the URL it prints SKIPPED. Each measurement
//! runs in its own fresh database, dropped at the end. Figures go in docs/benchmarks.md.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::TimeZone;
use evidentia_app::{FileOutcome, ImportOptions, Location};

// The rows of benches/import.rs, so the figures compare with its SQLite ones.
#[path = "support/provisioning.rs"]
mod provisioning;
use provisioning::{peak_rss_kb, write_csv};

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let Some(admin) = std::env::var("EVIDENTIA_TEST_PG_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    else {
        println!(
            "SKIPPED: EVIDENTIA_TEST_PG_URL is not set (`make bench-pg` starts a cluster and sets it)"
        );
        return Ok(());
    };
    let rows: u64 = std::env::var("EVIDENTIA_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("provisioning.csv");
    write_csv(&csv, rows)?;
    let size_mb = std::fs::metadata(&csv)?.len() as f64 / 1e6;
    println!(
        "rows: {rows}  file: {size_mb:.1} MB  server: {}",
        server_version(&admin)?
    );

    let importer = importer_alone_secs(&csv, rows)?;

    let copy_db = fresh_database(&admin, "copy")?;
    let copy = psql_copy_secs(&copy_db, &csv);
    drop_database(&admin, &copy_db);
    let copy = copy?;

    let pg_db = fresh_database(&admin, "import")?;
    let pg = Location::parse(&pg_db);
    let measured = measure(&pg, &csv, rows);
    let server_bytes = psql(
        &admin,
        &format!("SELECT pg_database_size('{}')", database_of(&pg_db)),
    );
    drop_database(&admin, &pg_db);
    let (pg_import, pg_analyze, executions) = measured?;

    let file = Location::from(dir.path().join("bench.evidentia"));
    let (file_import, file_analyze, _) = measure(&file, &csv, rows)?;

    println!(
        "the importer alone (read, parse and map every row into a sink that counts): {:.2} s",
        importer.as_secs_f64()
    );
    println!(
        "psql \\copy into a plain table: {:.2} s ({:.0} rows/s)",
        copy.as_secs_f64(),
        rows as f64 / copy.as_secs_f64()
    );
    println!(
        "evidentia import into PostgreSQL: {:.2} s ({:.0} rows/s); {:.2}x psql \\copy (target <= 3x); database {}",
        pg_import.as_secs_f64(),
        rows as f64 / pg_import.as_secs_f64(),
        pg_import.as_secs_f64() / copy.as_secs_f64(),
        server_bytes.map_or_else(
            |_| "size unknown".into(),
            |b| format!("{:.0} MB", b.trim().parse::<f64>().unwrap_or(0.0) / 1e6)
        ),
    );
    println!(
        "evidentia analyze from PostgreSQL ({executions} executions): {:.2} s (target < 8 s)",
        pg_analyze.as_secs_f64()
    );
    println!(
        "for comparison, the same into a SQLite file: import {:.2} s, analyze {:.2} s",
        file_import.as_secs_f64(),
        file_analyze.as_secs_f64()
    );
    println!(
        "peak RSS of this process (all of the above): {}",
        peak_rss_kb().map_or("unknown".into(), |kb| format!(
            "{:.0} MiB",
            kb as f64 / 1024.0
        ))
    );
    Ok(())
}

/// Creates a workspace at `location`, imports the file through the façade exactly as
/// `evidentia import --profile provisioning-csv` does, then analyses it as `evidentia analyze`
/// does (open, verify, read every entry, judge, record the run). Times both.
fn measure(location: &Location, csv: &Path, rows: u64) -> Result<(Duration, Duration, u64), Error> {
    let now = chrono::Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .ok_or("time")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        evidentia_app::init_workspace(location, now).await?;
        let options = ImportOptions {
            profile: Some("provisioning-csv".into()),
            ..ImportOptions::default()
        };
        let start = Instant::now();
        let reports = evidentia_app::import_files(
            location,
            std::slice::from_ref(&csv.to_owned()),
            &options,
            Some("bench"),
            now,
            |_, _| {},
        )
        .await?;
        let import = start.elapsed();
        let (records, executions) = match &reports[0].outcome {
            FileOutcome::Imported { records, .. } => (
                records.values().sum::<u64>(),
                records
                    .iter()
                    .filter(|(kind, _)| kind.as_str() == "execution")
                    .map(|(_, n)| *n)
                    .sum::<u64>(),
            ),
            FileOutcome::AlreadyImported { .. } => (0, 0),
        };
        if records != rows {
            return Err(format!("{records} of {rows} rows imported into {location}").into());
        }
        // The sample organisation's policy: finance-app is one of its systems, and its
        // period (2025) is the one the rows fall in.
        let policy =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../evidence-samples/policy.toml");
        evidentia_app::set_policy(location, &policy, Some("bench"), now).await?;
        let start = Instant::now();
        let run = evidentia_app::record_analysis(location, None, Some("bench"), now).await?;
        let analyze = start.elapsed();
        println!(
            "{location}: analyze read {} entries, {} findings",
            run.head.count,
            run.analysis.findings.len()
        );
        Ok::<_, Error>((import, analyze, executions))
    })
}

/// `evidentia_import::import` of the file with the `provisioning-csv` profile into a sink that
/// only counts: what the import costs before anything is hashed or stored.
fn importer_alone_secs(csv: &Path, rows: u64) -> Result<Duration, Error> {
    struct Counting(u64);
    impl evidentia_import::RecordSink for Counting {
        fn accept(
            &mut self,
            record: evidentia_domain::Record,
            _origin: evidentia_import::Origin,
        ) -> Result<(), evidentia_import::SinkError> {
            std::hint::black_box(record);
            self.0 += 1;
            Ok(())
        }
    }
    let ctx = evidentia_import::ImportContext {
        profile: evidentia_import::Profile::builtin("provisioning-csv"),
        ..evidentia_import::ImportContext::new("provisioning.csv")
    };
    let mut sink = Counting(0);
    let start = Instant::now();
    evidentia_import::import(
        evidentia_import::Format::Csv,
        &mut std::io::BufReader::new(std::fs::File::open(csv)?),
        &ctx,
        &mut sink,
        &mut |_| {},
    )?;
    let took = start.elapsed();
    if sink.0 != rows {
        return Err(format!("the importer alone gave {} of {rows} records", sink.0).into());
    }
    Ok(took)
}

/// The reference: psql's client-side COPY of the same CSV into a plain table (no index, no
/// constraint), timed around the psql process.
fn psql_copy_secs(url: &str, csv: &Path) -> Result<Duration, Error> {
    psql(
        url,
        "CREATE TABLE provisioning (ts text, system text, account text, action text, \
         entitlement text, performed_by text, result text, error text, request text, event_id text)",
    )?;
    let start = Instant::now();
    psql(
        url,
        &format!(
            "\\copy provisioning FROM '{}' WITH (FORMAT csv, HEADER true)",
            csv.display()
        ),
    )?;
    let took = start.elapsed();
    let n = psql(url, "SELECT count(*) FROM provisioning")?;
    println!("psql \\copy loaded {} rows", n.trim());
    Ok(took)
}

fn psql(url: &str, sql: &str) -> Result<String, Error> {
    let out = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-tA",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            sql,
        ])
        .stdin(Stdio::null())
        .output()?;
    if !out.status.success() {
        return Err(format!("psql: {}", String::from_utf8_lossy(&out.stderr).trim()).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn server_version(admin: &str) -> Result<String, Error> {
    Ok(psql(admin, "SHOW server_version")?.trim().to_owned())
}

/// The URL's database replaced by a new one, `evt_bench_<tag>_<pid>`.
fn fresh_database(admin: &str, tag: &str) -> Result<String, Error> {
    let name = format!("evt_bench_{tag}_{}", std::process::id());
    psql(
        admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )?;
    psql(admin, &format!("CREATE DATABASE {name}"))?;
    let base = admin.split('?').next().unwrap_or(admin);
    let cut = base.rfind('/').ok_or("no database in the URL")?;
    Ok(format!("{}/{name}", &base[..cut]))
}

fn database_of(url: &str) -> &str {
    let base = url.split('?').next().unwrap_or(url);
    base.rsplit('/').next().unwrap_or(base)
}

fn drop_database(admin: &str, url: &str) {
    let _ = psql(
        admin,
        &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", database_of(url)),
    );
}
