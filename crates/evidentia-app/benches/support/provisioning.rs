//! The provisioning CSV the import benchmarks share (the built-in `provisioning-csv` layout), so
//! the SQLite and PostgreSQL figures are over the same rows, and the process's peak memory.

use std::io::{BufWriter, Write};
use std::path::Path;

const ACTIONS: [&str; 6] = [
    "Create User",
    "Add Role",
    "Remove Role",
    "Disable User",
    "Add Role",
    "Rotate API Key",
];
const ROLES: [&str; 8] = [
    "GL-Reader",
    "GL-Poster",
    "AP-Clerk",
    "AP-Approver",
    "Payments-Create",
    "Payments-Approve",
    "Treasury-View",
    "Admin",
];

/// Writes `rows` provisioning rows (US dates, one failed row in 97, grants, revokes, disables,
/// key rotations) to `path`.
pub fn write_csv(path: &Path, rows: u64) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(
        out,
        "Timestamp,System,Account,Action,Entitlement,Performed By,Result,Error,Request,Event ID"
    )?;
    for i in 0..rows {
        let action = ACTIONS[(i % 6) as usize];
        let role = if action.contains("Role") {
            ROLES[(i % 8) as usize]
        } else {
            ""
        };
        let (result, error) = if i % 97 == 0 {
            ("Failure", "Insufficient privileges")
        } else {
            ("Success", "")
        };
        writeln!(
            out,
            "{:02}/{:02}/2025 {:02}:{:02},finance-app,user{:06}.name,{action},{role},admin.{},{result},{error},RITM{:07},FA-{:08}",
            1 + (i / 100_000) % 12,
            1 + (i / 3_600) % 28,
            (i / 60) % 24,
            i % 60,
            i % 300_000,
            ["jones", "patel", "nguyen"][(i % 3) as usize],
            i / 3,
            i
        )?;
    }
    out.flush()
}

/// The process's high-water resident memory (`VmHWM`, what `/usr/bin/time -v` reports), in KiB.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
