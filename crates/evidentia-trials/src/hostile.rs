//! Hostile files: inputs built to hurt (deep nesting, a gigantic line, invalid UTF-8, formula
//! payloads, zip-slip archives, bidi and control characters, files that only look like a
//! workspace). Each must get a clear error or be neutralized: no panic, bounded memory, and
//! nothing written to the workspace.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::run::{PANIC_EXIT, Ran, Tool, file_sha256, provisioning_csv};
use crate::table::Table;

/// Peak memory allowed for refusing any hostile input.
const RSS_LIMIT_KIB: u64 = 512 * 1024;

pub fn trials(tool: &Tool, huge_line_mib: u64, samples: &Path) -> anyhow::Result<Table> {
    let dir = tool.work.join("hostile");
    std::fs::create_dir_all(&dir)?;
    let mut table = Table::new(
        "hostile",
        &[
            "input",
            "command",
            "exit",
            "what the user is told",
            "peak RSS",
            "workspace unchanged",
        ],
    );
    let ws = dir.join("ws.evidentia");
    let _ = std::fs::remove_file(&ws);
    tool.ok(&ws, &["init"])?;

    // Import-side inputs: each must be refused naming the file, with the workspace untouched.
    let nested = dir.join("deep.jsonl");
    {
        let mut f = std::fs::File::create(&nested)?;
        f.write_all(b"{\"uuid\":\"1\",\"eventType\":\"user.lifecycle.create\",\"x\":")?;
        f.write_all(&vec![b'['; 1_000_000])?;
        f.write_all(&vec![b']'; 1_000_000])?;
        f.write_all(b"}\n")?;
    }
    refused(
        tool,
        &mut table,
        &ws,
        "JSON nested 1,000,000 deep",
        &nested,
        &["import", "--format", "okta"],
    )?;

    let huge = dir.join("huge.jsonl");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&huge)?);
        f.write_all(b"{\"eventType\":\"")?;
        let block = vec![b'a'; 1 << 20];
        for _ in 0..huge_line_mib {
            f.write_all(&block)?;
        }
        f.flush()?;
    }
    let label = format!("a single {huge_line_mib} MiB line, no newline");
    refused(
        tool,
        &mut table,
        &ws,
        &label,
        &huge,
        &["import", "--format", "okta"],
    )?;
    std::fs::remove_file(&huge)?;

    let bad_utf8_csv = dir.join("latin1.csv");
    let mut bytes = provisioning_csv("utf8", 3).into_bytes();
    bytes.extend_from_slice(
        b"03/04/2024 10:05,finance-app,caf\xe9-user,Add Role,approver,admin,Success,REQ-9\n",
    );
    std::fs::write(&bad_utf8_csv, &bytes)?;
    refused(
        tool,
        &mut table,
        &ws,
        "CSV with invalid UTF-8 on line 5",
        &bad_utf8_csv,
        &["import", "--profile", "provisioning-csv"],
    )?;

    let bad_utf8_json = dir.join("bad-utf8.jsonl");
    let mut okta = std::fs::read(samples.join("logs/okta-system-log.jsonl"))?;
    okta.truncate(
        okta.iter()
            .position(|&b| b == b'\n')
            .map_or(okta.len(), |i| i + 1),
    );
    okta.extend_from_slice(b"{\"eventType\":\"user.lifecycle.create\",\"actor\":\"\xff\xfe\"}\n");
    std::fs::write(&bad_utf8_json, &okta)?;
    refused(
        tool,
        &mut table,
        &ws,
        "JSON Lines with invalid UTF-8 on line 2",
        &bad_utf8_json,
        &["import", "--format", "okta"],
    )?;

    let junk = dir.join("junk.bin");
    std::fs::write(
        &junk,
        (0..65536u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect::<Vec<_>>(),
    )?;
    refused(
        tool,
        &mut table,
        &ws,
        "64 KiB of binary junk",
        &junk,
        &["import"],
    )?;

    let gz = dir.join("log.jsonl.gz");
    std::fs::write(&gz, b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03junk")?;
    refused(tool, &mut table, &ws, "a gzip file", &gz, &["import"])?;

    // Workspace-side: files that are not (or not yet) ours.
    let not_sqlite = dir.join("notes.evidentia");
    std::fs::write(&not_sqlite, "these are my notes, not a workspace\n")?;
    workspace_refused(
        tool,
        &mut table,
        &not_sqlite,
        "a text file given as the workspace",
    )?;

    let future = dir.join("future.evidentia");
    let _ = std::fs::remove_file(&future);
    tool.ok(&future, &["init"])?;
    {
        let db = rusqlite::Connection::open(&future)?;
        db.execute_batch("PRAGMA user_version = 99;")?;
    }
    workspace_refused(
        tool,
        &mut table,
        &future,
        "a workspace from a future format (user_version 99)",
    )?;

    formula_payloads(tool, &mut table, &dir, samples)?;
    bidi_in_report(tool, &mut table, &dir, samples)?;
    zip_slip(tool, &mut table, &dir)?;
    Ok(table)
}

fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let mut short: String = line.chars().take(110).collect();
    if line.chars().count() > 110 {
        short.push('…');
    }
    short.replace('`', "'")
}

fn rss(r: &Ran) -> String {
    r.max_rss_kib
        .map_or("?".into(), |k| format!("{} MiB", k / 1024))
}

fn refused(
    tool: &Tool,
    table: &mut Table,
    ws: &Path,
    label: &str,
    file: &Path,
    args: &[&str],
) -> anyhow::Result<()> {
    let before = file_sha256(ws)?;
    let mut argv: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    argv.push(file.to_string_lossy().into_owned());
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let r = tool.run_measured(ws, &argv)?;
    let unchanged = file_sha256(ws)? == before && tool.verify(ws)?.0 == 0;
    refusal_row(table, label, &args.join(" "), &r, unchanged, file);
    Ok(())
}

/// One refused input's row, and its verdict: exit 1, the message naming `named`, bounded
/// memory, the workspace untouched.
fn refusal_row(
    table: &mut Table,
    label: &str,
    command: &str,
    r: &Ran,
    unchanged: bool,
    named: &Path,
) {
    let name = named
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    table.row(vec![
        label.to_owned(),
        format!("`{command}`"),
        r.code.to_string(),
        first_line(&r.stderr),
        rss(r),
        if unchanged {
            "yes".into()
        } else {
            "**no**".into()
        },
    ]);
    check(table, label, r, unchanged, Some(&name), 1);
}

fn check(
    table: &mut Table,
    label: &str,
    r: &Ran,
    unchanged: bool,
    must_name: Option<&str>,
    expect: i32,
) {
    if r.code == PANIC_EXIT {
        table.fail(format!("{label}: panicked: {}", first_line(&r.stderr)));
    } else if r.code != expect {
        table.fail(format!(
            "{label}: exit {} (expected {expect}): {}",
            r.code,
            first_line(&r.stderr)
        ));
    }
    if let Some(name) = must_name
        && !r.stderr.contains(name)
    {
        table.fail(format!(
            "{label}: the message does not name {name}: {}",
            first_line(&r.stderr)
        ));
    }
    if r.max_rss_kib.is_some_and(|k| k > RSS_LIMIT_KIB) {
        table.fail(format!(
            "{label}: peak RSS {} over the {} MiB bound",
            rss(r),
            RSS_LIMIT_KIB / 1024
        ));
    }
    if !unchanged {
        table.fail(format!("{label}: the workspace changed"));
    }
}

fn workspace_refused(tool: &Tool, table: &mut Table, ws: &Path, label: &str) -> anyhow::Result<()> {
    let before = file_sha256(ws)?;
    for args in [
        &["verify"][..],
        &["import", "--profile", "provisioning-csv", "/dev/null"][..],
    ] {
        let r = tool.run_measured(ws, args)?;
        let unchanged = file_sha256(ws)? == before;
        refusal_row(table, label, args[0], &r, unchanged, ws);
    }
    Ok(())
}

/// Account names that a spreadsheet would run as formulas: imported as data, exported inert.
/// The demo organisation with every finance-app account name prefixed by a payload: none
/// correlates any more, so they come back as findings and reach the findings export.
fn formula_payloads(tool: &Tool, table: &mut Table, dir: &Path, src: &Path) -> anyhow::Result<()> {
    let payloads = [
        "=HYPERLINK(\"\"http://x\"\",\"\"y\"\")&",
        "+1+",
        "-2+",
        "@SUM(A1)+",
        "\tTAB",
        "\rCR",
    ];
    let (ws, import) = demo_with_accounts(tool, dir, src, "formula", |n, account| {
        format!("\"{}{account}\"", payloads[n % payloads.len()])
    })?;
    let export_file = dir.join("findings-export.csv");
    let _ = std::fs::remove_file(&export_file);
    let export = tool.run(
        &ws,
        &[
            "export",
            "findings",
            "--format",
            "csv",
            "--out",
            &export_file.to_string_lossy(),
        ],
    )?;
    let exported = std::fs::read(&export_file).unwrap_or_default();
    let cells: Vec<String> = csv_cells(&exported).into_iter().flatten().collect();
    let dangerous = cells
        .iter()
        .filter(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r']))
        .count();
    let carried = cells
        .iter()
        .filter(|c| {
            ["HYPERLINK", "SUM(A1)", "+1+", "-2+", "TAB", "CR"]
                .iter()
                .any(|p| c.contains(p))
        })
        .count();
    table.row(vec![
        "CSV with formula payloads (=, +, -, @, tab, CR) in account names".into(),
        "`demo`, then `export findings --format csv`".into(),
        format!("{} / {}", import.code, export.code),
        format!("{carried} exported cells carry a payload, {dangerous} cells live"),
        "–".into(),
        "n/a (imported as data)".into(),
    ]);
    if import.code != 0 {
        table.fail(format!(
            "formula payloads: import failed: {}",
            first_line(&import.stderr)
        ));
    }
    if export.code != 0 {
        table.fail(format!(
            "formula payloads: export failed: {}",
            first_line(&export.stderr)
        ));
    } else if dangerous > 0 {
        table.fail(format!(
            "formula payloads: {dangerous} cells left live in the CSV export"
        ));
    } else if carried == 0 {
        table.fail("formula payloads: none reached the export, so nothing was shown neutralized");
    }
    Ok(())
}

/// Bidi overrides and control characters in evidence strings must not reach the PDF's text.
fn bidi_in_report(tool: &Tool, table: &mut Table, dir: &Path, src: &Path) -> anyhow::Result<()> {
    // The demo organisation, with one account name carrying U+202E and a bell character.
    let (ws, demo) = demo_with_accounts(tool, dir, src, "bidi", |n, account| {
        if n == 1 {
            format!("evil\u{202E}gnp.exe\u{7}{account}")
        } else {
            account.to_owned()
        }
    })?;
    let pdf = dir.join("bidi.pdf");
    let report = tool.run(
        &ws,
        &[
            "report",
            "--framework",
            "nist-csf-2.0",
            "--out",
            &pdf.to_string_lossy(),
        ],
    )?;
    let qpdf = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(&pdf)
        .output();
    let qpdf_ok = qpdf.as_ref().is_ok_and(|o| o.status.success());
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output();
    let text = text
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let leaked = text
        .chars()
        .filter(|c| {
            matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
                || (c.is_control() && !matches!(c, '\n' | '\t' | '\x0c' | '\r'))
        })
        .count();
    // The name must reach the PDF at all (as a finding: it no longer correlates), or the zero
    // above would prove nothing.
    let reached = text.contains("gnp.exe");
    table.row(vec![
        "account name with U+202E (right-to-left override) and BEL".into(),
        "`demo`, then `report`".into(),
        format!("{} / {}", demo.code, report.code),
        format!(
            "the name {} the PDF; {leaked} control/bidi characters in its text; qpdf --check {}",
            if reached { "reaches" } else { "does NOT reach" },
            if qpdf_ok { "clean" } else { "FAILED" }
        ),
        "–".into(),
        "n/a".into(),
    ]);
    if demo.code != 0 || report.code != 0 {
        table.fail(format!(
            "bidi report: demo exit {}, report exit {}: {}",
            demo.code,
            report.code,
            first_line(&report.stderr)
        ));
    } else if leaked > 0 || !qpdf_ok {
        table.fail(format!(
            "bidi report: {leaked} characters leaked, qpdf clean: {qpdf_ok}"
        ));
    } else if !reached {
        table.fail("bidi report: the hostile account name never reached the PDF");
    }
    Ok(())
}

/// The demo organisation built from a copy of evidence-samples in which `rename` rewrote the
/// account of each finance-app log row (numbered from 1); returns the workspace and the run.
fn demo_with_accounts(
    tool: &Tool,
    dir: &Path,
    src: &Path,
    name: &str,
    rename: impl Fn(usize, &str) -> String,
) -> anyhow::Result<(PathBuf, Ran)> {
    let ws = dir.join(format!("{name}.evidentia"));
    let _ = std::fs::remove_file(&ws);
    let samples = dir.join(format!("{name}-samples"));
    let _ = std::fs::remove_dir_all(&samples);
    copy_dir(src, &samples).context("copying evidence-samples")?;
    let log = samples.join("logs/finance-app-provisioning.csv");
    let mut text = String::new();
    for (n, line) in std::fs::read_to_string(&log)?.lines().enumerate() {
        let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
        if n > 0
            && let Some(account) = cells.get_mut(2)
        {
            *account = rename(n, account);
        }
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    std::fs::write(&log, text)?;
    let out = ws.to_string_lossy().into_owned();
    let samples = samples.to_string_lossy().into_owned();
    let ran = tool.run(
        &ws,
        &["demo", "--out", out.as_str(), "--samples", samples.as_str()],
    )?;
    Ok((ws, ran))
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Archives that try to write outside the folder they are read into.
fn zip_slip(tool: &Tool, table: &mut Table, dir: &Path) -> anyhow::Result<()> {
    let cases = [
        ("../escaped.txt", "a zip entry named ../escaped.txt"),
        (
            "/tmp/evidentia-absolute.txt",
            "a zip entry with an absolute path",
        ),
        ("link", "a zip entry that is a symlink to /etc/passwd"),
    ];
    for (name, label) in cases {
        let zip = dir.join(format!(
            "slip-{}.zip",
            cases.iter().position(|c| c.0 == name).unwrap_or(0)
        ));
        let script = format!(
            "import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1],'w')\nz.writestr('SHA256SUMS','')\nif {sym}:\n    i=zipfile.ZipInfo('link'); i.external_attr=(0o120777<<16); z.writestr(i,'/etc/passwd')\nelse:\n    z.writestr({name:?},'x')\nz.close()\n",
            sym = if name == "link" { "True" } else { "False" },
        );
        let made = std::process::Command::new("python3")
            .arg("-c")
            .arg(&script)
            .arg(&zip)
            .status();
        if !made.is_ok_and(|s| s.success()) {
            table.fail(format!("{label}: python3 could not build the archive"));
            continue;
        }
        let ws = dir.join("ws.evidentia");
        let r = tool.run_measured(&ws, &["pack", "verify", &zip.to_string_lossy()])?;
        let escaped = [
            PathBuf::from("/tmp/evidentia-absolute.txt"),
            dir.join("escaped.txt"),
            std::env::temp_dir().join("escaped.txt"),
        ]
        .iter()
        .any(|p| p.exists());
        table.row(vec![
            label.to_owned(),
            "`pack verify`".into(),
            r.code.to_string(),
            first_line(if r.stdout.trim().is_empty() {
                &r.stderr
            } else {
                &r.stdout
            }),
            rss(&r),
            if escaped {
                "**a file escaped**".into()
            } else {
                "nothing written outside".into()
            },
        ]);
        if r.code != 3 {
            table.fail(format!("{label}: pack verify exit {} (expected 3)", r.code));
        }
        if escaped {
            table.fail(format!(
                "{label}: a file was written outside the temporary folder"
            ));
        }
    }
    Ok(())
}

/// The cells of a CSV file, quotes undone (a hand parser: the trials do not link the csv crate
/// the exporter uses, so they cannot share its mistakes).
fn csv_cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8_lossy(bytes);
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut cell)),
            (false, '\n') => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !record.is_empty() {
        record.push(cell);
        records.push(record);
    }
    records
}
