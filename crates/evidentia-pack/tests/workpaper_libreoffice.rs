//! The workpaper read back by a real spreadsheet: LibreOffice converts every sheet to CSV and each cell must equal the model.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use evidentia_pack::Cell;
use evidentia_pack::workpaper::{
    AttributeCell, AttributeColumn, SampleRow, SampleSheet, Sheet, Workpaper, sample_header,
    to_xlsx,
};

/// LibreOffice's first start in a fresh profile is slow on a shared machine; past this it is hung.
const SOFFICE_TIMEOUT: Duration = Duration::from_secs(120);

/// Comma-separated, double quotes, UTF-8, raw values (not as displayed), and the final -1:
/// every sheet to its own `FILE-Sheet.csv`.
const CSV_FILTER: &str =
    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1";

fn soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("soffice"))
        .find(|p| p.is_file())
}

/// A population of leavers with every cell type, including text a spreadsheet would run.
fn population() -> Sheet {
    let hostile = [
        "=1+1",
        "+44 20 7946 0000",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=cmd|' /C calc'!A0",
    ];
    let rows = (0..30u64)
        .map(|i| {
            vec![
                Cell::text(format!("P-{i:03}")),
                if i % 6 == 5 {
                    Cell::text(hostile[(i / 6) as usize % hostile.len()])
                } else {
                    Cell::text(format!("Person {i}"))
                },
                Cell::text(format!("2026-01-{:02}", i % 28 + 1)),
                Cell::Int(i as i64 % 9 - 2),
                Cell::Float(i as f64 * 1.25),
                Cell::Bool(i % 3 == 0),
                if i % 4 == 0 {
                    Cell::Seqs(vec![])
                } else {
                    Cell::Seqs(vec![100 + i, 200 + i * 2])
                },
                if i % 5 == 0 {
                    Cell::Empty
                } else {
                    Cell::text(format!("mgr{}", i % 4))
                },
            ]
        })
        .collect();
    Sheet {
        columns: [
            "person",
            "name",
            "left on",
            "days to revoke",
            "hours",
            "privileged",
            "entries",
            "manager",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

fn workpaper() -> Workpaper {
    let population = population();
    let picked = [3usize, 5, 11, 17, 29];
    let results = ["pass", "fail", "n/a"];
    let rows = picked
        .iter()
        .enumerate()
        .map(|(n, &i)| SampleRow {
            item: vec![
                population.rows[i][0].clone(),
                population.rows[i][1].clone(),
                population.rows[i][2].clone(),
            ],
            attributes: (0..3)
                .map(|a| AttributeCell {
                    result: results[(n + a) % 3].to_owned(),
                    evidence: if (n + a) % 3 == 2 {
                        vec![]
                    } else {
                        vec![100 + i as u64, 300 + (a as u64) * 7]
                    },
                    evidence_rows: Vec::new(),
                    note: if (n + a) % 3 == 1 {
                        format!("revoked {} hours after the SLA", n * 3 + a)
                    } else {
                        String::new()
                    },
                })
                .collect(),
        })
        .collect();
    Workpaper {
        title: "Audit sample: leavers".to_owned(),
        method: vec![
            ("population".to_owned(), Cell::text("leavers")),
            (
                "definition".to_owned(),
                Cell::text("every identity with a leaver event in the period"),
            ),
            ("period".to_owned(), Cell::text("2026-01-01 to 2026-03-31")),
            ("ledger head".to_owned(), Cell::Int(4812)),
            ("population count".to_owned(), Cell::count(30)),
            (
                "population digest".to_owned(),
                Cell::text("5f2b8c0e9a4d7f1e3b6a2c8d0e4f7a9b1c3d5e7f9a0b2c4d6e8f0a1b3c5d7e9f"),
            ),
            ("seed".to_owned(), Cell::text("=seed 42")),
            ("size".to_owned(), Cell::Int(5)),
            ("rate".to_owned(), Cell::Float(0.1667)),
            ("replacement".to_owned(), Cell::Bool(false)),
            ("entries".to_owned(), Cell::Seqs(vec![12, 15])),
            ("excluded".to_owned(), Cell::Empty),
        ],
        population: Some(population),
        sample: SampleSheet {
            item_columns: ["person", "name", "left on"].map(String::from).to_vec(),
            attributes: vec![
                AttributeColumn {
                    id: "approved".to_owned(),
                    title: "The leaver event was approved by the manager".to_owned(),
                },
                AttributeColumn {
                    id: "revoked".to_owned(),
                    title: "Every account was disabled".to_owned(),
                },
                AttributeColumn {
                    id: "sla".to_owned(),
                    title: "Access was removed within the SLA".to_owned(),
                },
            ],
            rows,
        },
        generated_at: "2026-04-01T12:00:00Z".to_owned(),
    }
}

/// Runs LibreOffice in its own process group and kills the group when it hangs.
fn run_soffice(soffice: &Path, profile: &Path, args: &[&std::ffi::OsStr]) {
    let mut child = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .arg("--headless")
        .arg("--norestore")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("soffice starts");
    let deadline = Instant::now() + SOFFICE_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().expect("wait for soffice") {
            let out = child.wait_with_output().expect("soffice output");
            assert!(
                status.success(),
                "soffice failed ({status}): {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            return;
        }
        if Instant::now() > deadline {
            // The group is LibreOffice's wrapper and soffice.bin, both started here.
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg(format!("-{}", child.id()))
                .status();
            let _ = child.wait();
            panic!("soffice did not finish within {SOFFICE_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// One cell as LibreOffice exports it, compared by type: numbers as numbers.
fn assert_cell(sheet: &str, row: usize, col: usize, got: &str, want: &Cell) {
    let at = format!("{sheet} row {row} column {col}: {got:?} vs {want:?}");
    match want {
        Cell::Text(t) => assert_eq!(got, t, "{at}"),
        Cell::Int(n) => assert_eq!(got.parse::<f64>().ok(), Some(*n as f64), "{at}"),
        Cell::Float(x) => {
            let v: f64 = got.parse().unwrap_or_else(|_| panic!("{at}"));
            assert!((v - x).abs() < 1e-9, "{at}");
        }
        Cell::Bool(b) => assert_eq!(got, if *b { "TRUE" } else { "FALSE" }, "{at}"),
        Cell::Seqs(s) => assert_eq!(
            got,
            s.iter().map(u64::to_string).collect::<Vec<_>>().join(" "),
            "{at}"
        ),
        Cell::Rows(r) => assert_eq!(
            got,
            r.iter()
                .map(|(e, n)| format!("{e}:{n}"))
                .collect::<Vec<_>>()
                .join(" "),
            "{at}"
        ),
        Cell::Empty => assert_eq!(got, "", "{at}"),
    }
}

fn assert_rows(sheet: &str, got: &[Vec<String>], want: &[Vec<Cell>]) {
    assert_eq!(got.len(), want.len(), "{sheet}: row count");
    for (r, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.len(), w.len(), "{sheet} row {r}: {g:?}");
        for (c, (gc, wc)) in g.iter().zip(w).enumerate() {
            assert_cell(sheet, r, c, gc, wc);
        }
    }
}

fn header(columns: &[String]) -> Vec<Cell> {
    columns.iter().map(Cell::text).collect()
}

#[test]
fn libreoffice_reads_every_cell_as_written() {
    let Some(soffice) = soffice() else {
        println!(
            "skipped: LibreOffice (soffice) is not installed; `make test` installs libreoffice-calc-nogui"
        );
        return;
    };
    let w = workpaper();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("workpaper.xlsx");
    std::fs::write(&file, to_xlsx(&w).unwrap()).unwrap();
    let out = dir.path().join("csv");
    // A profile of its own: parallel runs would otherwise share one and block on its lock.
    let profile = dir.path().join("lo-profile");
    run_soffice(
        &soffice,
        &profile,
        &[
            "--convert-to".as_ref(),
            CSV_FILTER.as_ref(),
            "--outdir".as_ref(),
            out.as_os_str(),
            file.as_os_str(),
        ],
    );

    // Sample: the header, the item cells, each attribute's result, evidence and note, and
    // every auditor column empty.
    let mut sample = vec![header(&sample_header(&w.sample))];
    for row in &w.sample.rows {
        let mut cells = row.item.clone();
        for a in &row.attributes {
            cells.push(Cell::text(&a.result));
            cells.push(if a.evidence.is_empty() {
                Cell::Empty
            } else {
                Cell::Seqs(a.evidence.clone())
            });
            cells.push(if a.note.is_empty() {
                Cell::Empty
            } else {
                Cell::text(&a.note)
            });
            cells.push(Cell::Empty);
        }
        cells.extend([Cell::Empty, Cell::Empty]);
        sample.push(cells);
    }
    assert_rows(
        "Sample",
        &read_csv(&out.join("workpaper-Sample.csv")),
        &sample,
    );

    let population = w.population.as_ref().unwrap();
    let mut rows = vec![header(&population.columns)];
    rows.extend(population.rows.iter().cloned());
    assert_rows(
        "Population",
        &read_csv(&out.join("workpaper-Population.csv")),
        &rows,
    );

    let mut method = vec![
        vec![Cell::text(&w.title), Cell::Empty],
        vec![Cell::text("field"), Cell::text("value")],
    ];
    method.extend(w.method.iter().map(|(k, v)| vec![Cell::text(k), v.clone()]));
    method.extend(w.sample.attributes.iter().map(|a| {
        vec![
            Cell::text(format!("attribute {}", a.id)),
            Cell::text(&a.title),
        ]
    }));
    assert_rows(
        "Method",
        &read_csv(&out.join("workpaper-Method.csv")),
        &method,
    );

    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "workpaper-Method.csv",
            "workpaper-Population.csv",
            "workpaper-Sample.csv"
        ]
    );
}
