//! The offline guarantee: every command runs in a network namespace with no interface up
//! (`unshare -rn`), and, where strace is available, makes no network system call at all.

use std::path::Path;
use std::process::Command;

use crate::run::Tool;
use crate::table::Table;

/// Whether this machine can make an unprivileged network namespace.
pub fn available() -> bool {
    Command::new("unshare")
        .args(["-rn", "true"])
        .status()
        .is_ok_and(|s| s.success())
}

pub fn trials(tool: &Tool, samples: &Path) -> anyhow::Result<Table> {
    let mut table = Table::new(
        "offline",
        &["command", "exit with no network", "network system calls"],
    );
    if !available() {
        table.fail("`unshare -rn` is not available here: the offline trial cannot run");
        return Ok(table);
    }
    let strace = strace_sees_sockets(&tool.work);
    let dir = tool.work.join("offline");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let ws = dir.join("ws.evidentia");
    let p = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let ws_arg = ws.to_string_lossy().into_owned();
    let samples = samples.to_string_lossy().into_owned();
    let okta = format!("{samples}/logs/okta-system-log.jsonl");
    let (pdf, csv, oscal, zip) = (
        p("report.pdf"),
        p("findings.csv"),
        p("oscal.json"),
        p("pack.zip"),
    );
    let steps: Vec<Vec<&str>> = vec![
        vec!["demo", "--out", &ws_arg, "--samples", &samples],
        vec!["import", &okta],
        vec!["policy", "show"],
        vec!["analyze"],
        vec!["findings"],
        vec!["events"],
        vec!["exceptions"],
        vec!["metrics"],
        vec!["controls", "--framework", "owasp-nhi-2025"],
        vec!["accounts"],
        vec!["checkpoint"],
        vec!["log", "--limit", "5"],
        vec!["report", "--framework", "nist-csf-2.0", "--out", &pdf],
        vec!["export", "findings", "--format", "csv", "--out", &csv],
        vec![
            "export",
            "oscal",
            "--framework",
            "nist-csf-2.0",
            "--out",
            &oscal,
        ],
        vec!["pack", "--framework", "nist-csf-2.0", "--out", &zip],
        vec!["pack", "verify", &zip],
        vec!["verify"],
    ];
    for args in steps {
        let trace = dir.join("strace.txt");
        let mut cmd = Command::new("unshare");
        cmd.arg("-rn");
        if strace {
            cmd.args([
                "strace",
                "-f",
                "-qq",
                "-e",
                "trace=socket,connect,sendto,bind",
                "-o",
            ])
            .arg(&trace);
        }
        cmd.env("EVIDENTIA_KEY_DIR", tool.key_dir())
            .arg(&tool.evidentia)
            .arg("--workspace")
            .arg(&ws)
            .args(&args);
        let out = cmd.output()?;
        let code = out.status.code().unwrap_or(-1);
        let calls = if strace {
            // Unix-domain sockets (none expected either) would not reach a network; count
            // only the internet families.
            let text = std::fs::read_to_string(&trace).unwrap_or_default();
            let n = text
                .lines()
                .filter(|l| {
                    l.contains("AF_INET") || l.contains("AF_INET6") || l.contains("connect(")
                })
                .count();
            n.to_string()
        } else {
            "not traced (no strace)".into()
        };
        let label = format!(
            "`{}`",
            args.first().copied().unwrap_or_default().to_owned()
                + &args
                    .get(1)
                    .filter(|a| !a.starts_with('-') && !a.contains('/'))
                    .map(|a| format!(" {a}"))
                    .unwrap_or_default()
        );
        table.row(vec![label.clone(), code.to_string(), calls.clone()]);
        if code != 0 {
            table.fail(format!(
                "{label} exited {code} offline: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        if strace && calls != "0" {
            table.fail(format!("{label} made {calls} network system calls"));
        }
    }
    Ok(table)
}

/// Whether strace works here and would see a network call: a control run that opens an
/// internet socket must be counted, or the zeros in the table would prove nothing.
fn strace_sees_sockets(work: &Path) -> bool {
    let trace = work.join("strace-control.txt");
    let ran = Command::new("unshare")
        .args([
            "-rn",
            "strace",
            "-f",
            "-qq",
            "-e",
            "trace=socket,connect",
            "-o",
        ])
        .arg(&trace)
        .args([
            "python3",
            "-c",
            "import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    ran && std::fs::read_to_string(&trace).is_ok_and(|t| t.contains("AF_INET"))
}
