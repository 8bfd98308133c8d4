//! Concurrency trials: two imports and an analysis started at the same moment on one
//! workspace; nobody may see "database is locked", nothing may be lost, the ledger verifies.

use std::path::Path;
use std::process::Stdio;

use anyhow::Context;

use crate::run::{Tool, contents, copy_workspace, provisioning_csv};
use crate::table::Table;

pub fn trials(tool: &Tool, rounds: usize, rows: usize, samples: &Path) -> anyhow::Result<Table> {
    let dir = tool.work.join("concurrency");
    std::fs::create_dir_all(&dir)?;
    let base = dir.join("base.evidentia");
    if !base.exists() {
        let out = base.to_string_lossy().into_owned();
        let samples = samples.to_string_lossy().into_owned();
        tool.ok(
            &base,
            &["demo", "--out", out.as_str(), "--samples", samples.as_str()],
        )?;
    }
    let files: Vec<String> = ["a", "b"]
        .iter()
        .map(|tag| {
            let path = dir.join(format!("{tag}.csv"));
            std::fs::write(&path, provisioning_csv(tag, rows))
                .map(|()| path.to_string_lossy().into_owned())
        })
        .collect::<Result<_, _>>()?;
    let ws = dir.join("trial.evidentia");
    let mut table = Table::new(
        "concurrency",
        &[
            "round",
            "import A",
            "import B",
            "analyze",
            "\"locked\"/\"busy\" seen",
            "records added",
            "verify",
        ],
    );
    for round in 1..=rounds {
        copy_workspace(&base, &ws)?;
        let before = contents(&ws)?;
        let jobs: Vec<Vec<&str>> = vec![
            vec!["import", "--profile", "provisioning-csv", files[0].as_str()],
            vec!["import", "--profile", "provisioning-csv", files[1].as_str()],
            vec!["analyze"],
        ];
        let children = jobs
            .iter()
            .map(|args| {
                tool.command(&ws, args)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
            })
            .collect::<Result<Vec<_>, _>>()
            .context("starting the three processes")?;
        let mut codes = Vec::new();
        let mut locked = false;
        for child in children {
            let out = child.wait_with_output()?;
            let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
            locked |= stderr.contains("locked") || stderr.contains("busy");
            codes.push(out.status.code().unwrap_or(-1));
        }
        let after = contents(&ws)?;
        let added = after.records - before.records;
        let (vcode, _, _) = tool.verify(&ws)?;
        table.row(vec![
            round.to_string(),
            exit_text(codes[0]),
            exit_text(codes[1]),
            exit_text(codes[2]),
            if locked { "yes".into() } else { "no".into() },
            added.to_string(),
            if vcode == 0 {
                "intact".into()
            } else {
                format!("exit {vcode}")
            },
        ]);
        if codes.iter().any(|c| *c != 0) || locked {
            table.fail(format!(
                "round {round}: exits {codes:?}, locked/busy seen: {locked}"
            ));
        }
        if added != 2 * rows as u64 {
            table.fail(format!(
                "round {round}: {added} records added, expected {}",
                2 * rows
            ));
        }
        if vcode != 0 {
            table.fail(format!("round {round}: the workspace did not verify"));
        }
    }
    Ok(table)
}

fn exit_text(code: i32) -> String {
    if code == 0 {
        "ok".into()
    } else {
        format!("exit {code}")
    }
}
