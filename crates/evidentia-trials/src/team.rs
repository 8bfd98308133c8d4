//! Team-workspace trials (issue #18): the real binary on a PostgreSQL workspace. Four importers
//! at once, the server killed mid-import, and a read-only role trying every write command.
//! Each trial has its own fresh database; without `EVIDENTIA_TEST_PG_URL` they are SKIPPED.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::pg::{PgUrl, Server, URL_VAR, cluster, psql};
use crate::run::{Tool, file_sha256, provisioning_csv};
use crate::table::Table;
use evidentia_samples::rng::Rng;

/// How big the trials are: the acceptance figures (20 rounds, 20 kills) in both runs; the long
/// run imports larger files.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub rounds: usize,
    pub rows_per_importer: usize,
    pub kills: usize,
    pub rows_per_kill: usize,
}

impl Sizes {
    pub fn new(long: bool) -> Sizes {
        if long {
            Sizes {
                rounds: 20,
                rows_per_importer: 5_000,
                kills: 20,
                rows_per_kill: 50_000,
            }
        } else {
            Sizes {
                rounds: 20,
                rows_per_importer: 200,
                kills: 20,
                rows_per_kill: 5_000,
            }
        }
    }
}

pub fn trials(
    tool: &Tool,
    root: &Path,
    rng: &mut Rng,
    samples: &Path,
    sizes: Sizes,
) -> anyhow::Result<Vec<Table>> {
    let Some(server) = Server::from_env()? else {
        println!(
            "\nteam: SKIPPED: {URL_VAR} is not set (`make test` and `make trials` start a throwaway \
             cluster and set it; see docs/team-workspaces.md)"
        );
        return Ok(Vec::new());
    };
    // One trial that cannot run (a command it sets up with fails) is a failed table; the
    // others still run.
    let failed = |name: &'static str, e: anyhow::Error| {
        let mut t = Table::new(name, &["trial"]);
        t.fail(format!("{e:#}"));
        t
    };
    Ok(vec![
        concurrency(tool, &server, sizes).unwrap_or_else(|e| failed("team-concurrency", e)),
        server_kill(tool, root, &server, rng, sizes)
            .unwrap_or_else(|e| failed("team-server-kill", e)),
        read_only(tool, root, &server, samples).unwrap_or_else(|e| failed("team-read-only", e)),
    ])
}

/// The workspace argument for a server workspace: the URL, passed where a path goes.
fn ws(url: &PgUrl) -> PathBuf {
    PathBuf::from(url.to_string())
}

/// The shape of the ledger as the server holds it, read with psql behind the binary's back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    entries: u64,
    max_seq: u64,
    /// Entries sharing a predecessor: a fork, which the append lock must make impossible.
    forks: u64,
    /// Records in the ledger: a one-record entry counts one, a set entry (`record.execution_set`,
    /// `record.reconciliation_set`) the rows it holds.
    records: u64,
    import_files: u64,
    checkpoints: u64,
    artifacts: u64,
}

fn shape(url: &PgUrl) -> anyhow::Result<Shape> {
    let out = psql(
        url,
        "SELECT (SELECT count(*) FROM ledger_entries), \
                (SELECT coalesce(max(seq), 0) FROM ledger_entries), \
                (SELECT count(*) - count(DISTINCT prev_hash) FROM ledger_entries), \
                (SELECT coalesce(sum(CASE WHEN kind IN ('record.execution_set', 'record.reconciliation_set') \
                     THEN jsonb_array_length(convert_from(payload, 'UTF8')::jsonb -> 'rows') \
                     ELSE 1 END), 0) FROM ledger_entries WHERE kind LIKE 'record.%'), \
                (SELECT count(*) FROM ledger_entries WHERE kind = 'import.file'), \
                (SELECT count(*) FROM checkpoints), \
                (SELECT count(*) FROM artifacts)",
    )?;
    let n: Vec<u64> = out
        .split('|')
        .map(|v| v.trim().parse())
        .collect::<Result<_, _>>()
        .with_context(|| format!("reading the ledger's shape from {out:?}"))?;
    let [
        entries,
        max_seq,
        forks,
        records,
        import_files,
        checkpoints,
        artifacts,
    ] = n[..]
    else {
        bail!("psql printed {out:?}");
    };
    Ok(Shape {
        entries,
        max_seq,
        forks,
        records,
        import_files,
        checkpoints,
        artifacts,
    })
}

/// The artifacts (file SHA-256) of every `import.file` entry, through `evidentia log`.
fn imported(tool: &Tool, url: &PgUrl) -> anyhow::Result<BTreeSet<String>> {
    let r = tool.ok(
        &ws(url),
        &[
            "--json",
            "log",
            "--kind",
            "import.file",
            "--limit",
            "1000000",
        ],
    )?;
    r.stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let entry: serde_json::Value = serde_json::from_str(l)?;
            entry["payload"]["artifact"]
                .as_str()
                .map(str::to_owned)
                .context("an import.file entry without its artifact")
        })
        .collect()
}

fn intact(tool: &Tool, url: &PgUrl) -> anyhow::Result<bool> {
    Ok(verdict(tool, url)?.is_ok())
}

/// `verify --json`: Ok when intact, else what it said (its failure, or its error line).
fn verdict(tool: &Tool, url: &PgUrl) -> anyhow::Result<Result<(), String>> {
    let (code, json, stderr) = tool.verify(&ws(url))?;
    Ok(match json {
        Some(j) if code == 0 && j["intact"] == true => Ok(()),
        Some(j) => Err(format!("exit {code}: {}", j["failure"])),
        None => Err(format!("exit {code}: {}", stderr.trim())),
    })
}

fn exit_text(code: i32) -> String {
    if code == 0 {
        "ok".into()
    } else {
        format!("exit {code}")
    }
}

/// The CLI's error contract: exactly one line, `error: …`.
fn one_error_line(stderr: &str) -> bool {
    let lines: Vec<&str> = stderr.lines().collect();
    lines.len() == 1 && lines[0].starts_with("error:")
}

/// A message for a table cell: one line, at most `max` characters.
fn cell(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() > max {
        format!("{}…", line.chars().take(max).collect::<String>())
    } else {
        line.to_owned()
    }
}

/// (a) Four `evidentia import` processes on four different files, started at the same moment
/// on one PostgreSQL workspace, with a `verify` reading beside them; 20 rounds on the same
/// workspace. Every import must be there, the ledger one chain (dense seqs, no two entries
/// sharing a predecessor), and verify intact.
fn concurrency(tool: &Tool, server: &Server, sizes: Sizes) -> anyhow::Result<Table> {
    let dir = tool.work.join("team-concurrency");
    std::fs::create_dir_all(&dir)?;
    let db = server.fresh_database("conc")?;
    let result = concurrency_on(tool, &db, &dir, sizes);
    server.drop_database(&db);
    result
}

fn concurrency_on(tool: &Tool, db: &PgUrl, dir: &Path, sizes: Sizes) -> anyhow::Result<Table> {
    const IMPORTERS: usize = 4;
    let rows = sizes.rows_per_importer;
    let mut table = Table::new(
        "team-concurrency",
        &[
            "round",
            "imports (4 processes)",
            "verify beside them",
            "imports present",
            "records added",
            "entries / highest seq",
            "forks",
            "verify after",
        ],
    );
    tool.ok(&ws(db), &["init"])?;
    for round in 1..=sizes.rounds {
        let files: Vec<PathBuf> = (0..IMPORTERS)
            .map(|p| {
                let path = dir.join(format!("r{round}-p{p}.csv"));
                std::fs::write(&path, provisioning_csv(&format!("r{round}p{p}"), rows))
                    .map(|()| path)
            })
            .collect::<Result<_, _>>()?;
        let before = shape(db)?;
        let mut jobs: Vec<Vec<String>> = files
            .iter()
            .map(|f| {
                vec![
                    "import".into(),
                    "--profile".into(),
                    "provisioning-csv".into(),
                    f.to_string_lossy().into_owned(),
                ]
            })
            .collect();
        jobs.push(vec!["--json".into(), "verify".into()]);
        let children = jobs
            .iter()
            .map(|args| {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                tool.command(&ws(db), &args)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
            })
            .collect::<Result<Vec<_>, _>>()
            .context("starting the five processes")?;
        let mut codes = Vec::new();
        let mut errors = Vec::new();
        for child in children {
            let out = child.wait_with_output()?;
            codes.push(out.status.code().unwrap_or(-1));
            let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            if !out.status.success() {
                errors.push(cell(&stderr, 160));
            }
        }
        let have = imported(tool, db)?;
        let present = files
            .iter()
            .map(|f| file_sha256(f))
            .collect::<Result<Vec<_>, _>>()?
            .iter()
            .filter(|sha| have.contains(*sha))
            .count();
        let after = shape(db)?;
        let added = after.records - before.records;
        let verified = intact(tool, db)?;
        let import_codes = &codes[..IMPORTERS];
        table.row(vec![
            round.to_string(),
            if import_codes.iter().all(|c| *c == 0) {
                "ok ×4".into()
            } else {
                format!("{import_codes:?}")
            },
            exit_text(codes[IMPORTERS]),
            format!("{present}/{IMPORTERS}"),
            added.to_string(),
            format!("{} / {}", after.entries, after.max_seq),
            after.forks.to_string(),
            if verified {
                "intact".into()
            } else {
                "NOT intact".into()
            },
        ]);
        if codes.iter().any(|c| *c != 0) {
            table.fail(format!("round {round}: exits {codes:?}: {errors:?}"));
        }
        if present != IMPORTERS || added != (IMPORTERS * rows) as u64 {
            table.fail(format!(
                "round {round}: {present} of {IMPORTERS} imports present, {added} records added (expected {})",
                IMPORTERS * rows
            ));
        }
        if after.entries != after.max_seq || after.forks != 0 {
            table.fail(format!(
                "round {round}: not one chain: {} entries, highest seq {}, {} forks",
                after.entries, after.max_seq, after.forks
            ));
        }
        if !verified {
            table.fail(format!("round {round}: the workspace did not verify"));
        }
    }
    Ok(table)
}

/// The trials' own cluster beside the shared one (killing the shared server would break
/// whatever else uses it), stopped when the trial ends however it ends.
struct OwnCluster<'a> {
    root: &'a Path,
    dir: PathBuf,
}

impl Drop for OwnCluster<'_> {
    fn drop(&mut self) {
        let _ = cluster(self.root, "stop", &self.dir);
    }
}

/// (b) `pg_ctl stop -m immediate` (tools/pg_cluster.sh kill) at a random moment of an import,
/// 20 times; after each, the server is restarted (crash recovery). The import must be entirely
/// present or entirely absent, the ledger intact, the client must have printed one line and
/// exited non-zero unless it finished first, and the workspace must take the file afterwards.
fn server_kill(
    tool: &Tool,
    root: &Path,
    shared: &Server,
    rng: &mut Rng,
    sizes: Sizes,
) -> anyhow::Result<Table> {
    let shared_dir = shared.admin.socket_dir().with_context(|| {
        format!("{URL_VAR} must name a socket directory (tools/pg_cluster.sh's URL) for the server-kill trial")
    })?;
    // Inside the shared cluster's directory, so tools/with_pg_cluster.sh stops it with the
    // shared one even when the trials are interrupted.
    let dir = shared_dir.join("kill");
    // A cluster left by an interrupted run is replaced, as tools/with_pg_cluster.sh does.
    if dir.join(".evidentia-pg-cluster").exists() {
        cluster(root, "destroy", &dir)?;
    }
    let own = OwnCluster {
        root,
        dir: dir.clone(),
    };
    let server = Server {
        admin: PgUrl::parse(&cluster(root, "start", &own.dir)?)?,
    };
    let work = tool.work.join("team-kill");
    std::fs::create_dir_all(&work)?;
    let db = server.fresh_database("kill")?;
    let result = server_kill_on(tool, &own, &db, &work, rng, sizes);
    server.drop_database(&db);
    drop(own);
    result
}

fn server_kill_on(
    tool: &Tool,
    own: &OwnCluster<'_>,
    db: &PgUrl,
    work: &Path,
    rng: &mut Rng,
    sizes: Sizes,
) -> anyhow::Result<Table> {
    let rows = sizes.rows_per_kill;
    let mut table = Table::new(
        "team-server-kill",
        &[
            "trial",
            "server killed at",
            "client",
            "client's message",
            "import after restart",
            "verify",
            "file imported afterwards",
        ],
    );
    tool.ok(&ws(db), &["init"])?;
    let import = |file: &Path| -> Vec<String> {
        vec![
            "import".into(),
            "--profile".into(),
            "provisioning-csv".into(),
            file.to_string_lossy().into_owned(),
        ]
    };
    // The uninterrupted import, for the kill moments: [0, 1.2 × its time], so most kills land
    // mid-import and a few after it finished.
    let calibration_file = work.join("calibration.csv");
    std::fs::write(&calibration_file, provisioning_csv("calibration", rows))?;
    let started = Instant::now();
    let args = import(&calibration_file);
    tool.ok(
        &ws(db),
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    let calibration = started.elapsed();
    let span = (calibration.as_micros() as u64).saturating_mul(6) / 5;
    let mut killed_mid_run = 0;
    for trial in 1..=sizes.kills {
        let file = work.join(format!("k{trial}.csv"));
        std::fs::write(&file, provisioning_csv(&format!("k{trial}"), rows))?;
        let sha = file_sha256(&file)?;
        let before = shape(db)?;
        let stderr_path = work.join(format!("k{trial}.stderr"));
        let args = import(&file);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = tool
            .command(&ws(db), &args)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr_path)?)
            .spawn()
            .context("starting evidentia import")?;
        let at = Duration::from_micros(rng.below(span.max(1)));
        let t0 = Instant::now();
        let mut finished_first = false;
        loop {
            if child.try_wait()?.is_some() {
                finished_first = true;
                break;
            }
            if t0.elapsed() >= at {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let killed_at = t0.elapsed();
        if !finished_first {
            cluster(own.root, "kill", &own.dir)?;
        }
        let code = wait_at_most(&mut child, Duration::from_secs(120))?;
        if !finished_first {
            cluster(own.root, "start", &own.dir)?;
        }
        let stderr = std::fs::read_to_string(&stderr_path)?;
        let after = shape(db)?;
        let present = imported(tool, db)?.contains(&sha);
        let left = match (after.records - before.records, present) {
            (0, false) => "entirely absent",
            (r, true) if r == rows as u64 => "entirely present",
            _ => "PARTIAL",
        };
        let verified = verdict(tool, db)?;
        let again = tool.run(&ws(db), &args)?;
        let usable = again.code == 0 && imported(tool, db)?.contains(&sha);
        let client = match code {
            None => "still running after 120 s".to_owned(),
            Some(c) => exit_text(c),
        };
        if !finished_first && code != Some(0) {
            killed_mid_run += 1;
        }
        table.row(vec![
            trial.to_string(),
            if finished_first {
                format!("{} ms (import had finished)", killed_at.as_millis())
            } else {
                format!("{} ms", killed_at.as_millis())
            },
            client.clone(),
            cell(&tool_tidy(tool, &stderr), 140),
            left.into(),
            match &verified {
                Ok(()) => "intact".into(),
                Err(why) => format!("NOT intact ({})", cell(why, 100)),
            },
            if usable { "yes".into() } else { "NO".into() },
        ]);
        match code {
            None => table.fail(format!(
                "trial {trial}: the client hung after the server died"
            )),
            Some(0) if left != "entirely present" => table.fail(format!(
                "trial {trial}: the client reported success but the import is {left}"
            )),
            Some(c) if c != 0 && !one_error_line(&stderr) => table.fail(format!(
                "trial {trial}: exit {c} without exactly one `error:` line: {stderr:?}"
            )),
            Some(101) => table.fail(format!("trial {trial}: the client panicked: {stderr:?}")),
            _ => {}
        }
        if left == "PARTIAL" {
            table.fail(format!(
                "trial {trial}: partial import after the kill ({} records added)",
                after.records - before.records
            ));
        }
        if let Err(why) = &verified {
            table.fail(format!(
                "trial {trial}: the workspace did not verify: {why}"
            ));
        }
        if !usable {
            table.fail(format!(
                "trial {trial}: the file could not be imported after the restart: {}",
                again.stderr.trim()
            ));
        }
    }
    if sizes.kills >= 5 && killed_mid_run == 0 {
        table.fail("no kill landed mid-import; the trial proves nothing");
    }
    table.row(vec![
        "all".into(),
        format!(
            "uniform in 0–{} ms (uninterrupted import of {rows} rows: {} ms)",
            span / 1000,
            calibration.as_millis()
        ),
        format!("{killed_mid_run} failed mid-import"),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]);
    Ok(table)
}

fn tool_tidy(tool: &Tool, text: &str) -> String {
    text.replace(&format!("{}/", tool.work.display()), "…/")
}

/// Waits for `child`; kills it if it outlives `limit` (a client hung on a dead server).
fn wait_at_most(child: &mut Child, limit: Duration) -> anyhow::Result<Option<i32>> {
    let t0 = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status.code().unwrap_or(-1)));
        }
        if t0.elapsed() >= limit {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// (c) The logins of docs/team-workspaces.md "Roles", made with that section's SQL as written
/// (the database's name put in): every command that writes is refused for the reader with one
/// clear line and changes nothing, and then succeeds for the writer, so the refusal is the
/// role's and not the arguments'; every command that only reads works for the reader.
fn read_only(tool: &Tool, root: &Path, server: &Server, samples: &Path) -> anyhow::Result<Table> {
    let dir = tool.work.join("team-read-only");
    std::fs::create_dir_all(&dir)?;
    let db = server.fresh_database("ro")?;
    let roles = roles_sql(root, db.database())?;
    let result = read_only_on(tool, &db, &roles, &dir, samples);
    server.drop_database(&db);
    for role in roles.created.iter().rev() {
        let _ = psql(&server.admin, &format!("DROP ROLE IF EXISTS {role}"));
    }
    result
}

/// The SQL of the "Roles" section for one database, and the logins it makes.
struct Roles {
    sql: String,
    /// Every role the SQL creates, in order (dropped in reverse at the end).
    created: Vec<String>,
    reader: String,
    writer: String,
}

/// Takes the `sql` block of docs/team-workspaces.md "## Roles" and puts `database` where it
/// says `engagement`; the reader and writer logins are the ones it creates `IN ROLE …_reader`
/// and `IN ROLE …_writer`.
fn roles_sql(root: &Path, database: &str) -> anyhow::Result<Roles> {
    let doc_path = root.join("docs/team-workspaces.md");
    let doc = std::fs::read_to_string(&doc_path)
        .with_context(|| format!("reading {}", doc_path.display()))?;
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with("Roles"))
        .context("docs/team-workspaces.md has no \"## Roles\" section")?;
    let sql = section
        .split("```sql\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .context("the Roles section has no ```sql block")?
        .replace("engagement", database);
    let mut created = Vec::new();
    let (mut reader, mut writer) = (None, None);
    // Comments go first: one of them holds a `;`, which would otherwise split a statement and
    // hide the role it creates from the list dropped at the end.
    let code: String = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .map(|l| format!("{l}\n"))
        .collect();
    for statement in code.split(';') {
        let words: Vec<&str> = statement.split_whitespace().collect();
        if let ["CREATE", "ROLE", name, rest @ ..] = words.as_slice() {
            created.push((*name).to_owned());
            if rest.contains(&"LOGIN") {
                if rest.ends_with(&[&format!("{database}_reader")[..]]) {
                    reader = Some((*name).to_owned());
                } else if rest.ends_with(&[&format!("{database}_writer")[..]]) {
                    writer = Some((*name).to_owned());
                }
            }
        }
    }
    Ok(Roles {
        reader: reader.context("the Roles SQL creates no reader login")?,
        writer: writer.context("the Roles SQL creates no writer login")?,
        sql,
        created,
    })
}

fn read_only_on(
    tool: &Tool,
    owner: &PgUrl,
    roles: &Roles,
    dir: &Path,
    samples: &Path,
) -> anyhow::Result<Table> {
    let mut table = Table::new(
        "team-read-only",
        &[
            "command (as the reader)",
            "expected",
            "exit",
            "message",
            "ledger, checkpoints, artifacts",
            "as the writer",
        ],
    );
    let samples_arg = samples.to_string_lossy().into_owned();
    let owner_arg = owner.to_string();
    tool.ok(
        &ws(owner),
        &["demo", "--out", &owner_arg, "--samples", &samples_arg],
    )?;
    tool.ok(&ws(owner), &["analyze"])?;
    tool.ok(&ws(owner), &["checkpoint"])?;
    // "Run this as the owner of the database, after evidentia init".
    psql(owner, &roles.sql).context("running the Roles SQL of docs/team-workspaces.md")?;
    let reader = owner.with_user(&roles.reader);
    let writer = owner.with_user(&roles.writer);

    let findings = tool.ok(&ws(&reader), &["--json", "findings"])?;
    let findings: serde_json::Value =
        serde_json::from_str(&findings.stdout).context("findings --json")?;
    let finding = findings
        .as_array()
        .and_then(|a| a.first())
        .and_then(|f| f["id"].as_str())
        .context("the demo workspace has no finding to respond to")?
        .to_owned();
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let (new_csv, policy, pdf, zip, source, key) = (
        path("new.csv"),
        path("policy.toml"),
        path("report.pdf"),
        path("pack.zip"),
        path("source.evidentia"),
        path("team-key.pem"),
    );
    std::fs::write(&new_csv, provisioning_csv("reader", 10))?;
    let mut policy_text = std::fs::read_to_string(samples.join("policy.toml"))?;
    policy_text.push_str("\n# a new version, recorded by the read-only trial\n");
    std::fs::write(&policy, policy_text)?;
    tool.ok(Path::new(&source), &["init", "--no-key"])?;

    let check = Check {
        tool,
        owner,
        reader: &reader,
        writer: &writer,
    };
    let reads: Vec<(&str, Vec<&str>)> = vec![
        ("verify", vec!["verify"]),
        ("findings (analysis, not recorded)", vec!["findings"]),
        ("controls", vec!["controls"]),
        ("metrics", vec!["metrics"]),
        ("log", vec!["log", "--limit", "5"]),
        ("policy show", vec!["policy", "show"]),
        ("checkpoint --list", vec!["checkpoint", "--list"]),
        ("responses", vec!["responses"]),
        ("key export", vec!["key", "export"]),
        ("events", vec!["events"]),
        (
            "report",
            vec!["report", "--framework", "nist-csf-2.0", "--out", &pdf],
        ),
        (
            "pack",
            vec!["pack", "--framework", "nist-csf-2.0", "--out", &zip],
        ),
    ];
    // The reads first, on the workspace as the owner left it (the writer's `key new` below
    // changes the key a pack is signed with).
    for (name, args) in &reads {
        check.attempt(&mut table, name, args, Expect::Works)?;
    }
    let pack_check = tool.run(&ws(&reader), &["pack", "verify", &zip])?;
    table.row(vec![
        "pack verify (the reader's pack)".into(),
        "works".into(),
        exit_text(pack_check.code),
        cell(&pack_check.stdout, 100),
        String::new(),
        String::new(),
    ]);
    if pack_check.code != 0 {
        table.fail(format!(
            "the reader's pack did not verify: {}",
            pack_check.stderr.trim()
        ));
    }
    let writes: Vec<(&str, Vec<&str>)> = vec![
        (
            "import",
            vec!["import", "--profile", "provisioning-csv", &new_csv],
        ),
        ("policy set", vec!["policy", "set", &policy]),
        ("analyze", vec!["analyze"]),
        ("checkpoint", vec!["checkpoint"]),
        (
            "respond",
            vec![
                "respond",
                &finding,
                "--owner",
                "it-ops",
                "--due",
                "2031-01-31",
                "--status",
                "in-remediation",
                "--response",
                "access removed; tickets linked",
            ],
        ),
        // A key file of its own: the workspace's key already exists and is never overwritten.
        ("key new", vec!["key", "new", "--key", &key]),
    ];
    for (name, args) in &writes {
        check.attempt(
            &mut table,
            name,
            args,
            Expect::Refused {
                then_as_writer: true,
            },
        )?;
        if name.starts_with("key") && Path::new(&key).exists() {
            // Made by the writer's run; the reader's left nothing (checked in `attempt`).
            std::fs::remove_file(&key)?;
        }
    }
    check.attempt(
        &mut table,
        "init (the same database)",
        &["init"],
        Expect::Refused {
            then_as_writer: false,
        },
    )?;
    let to = reader.to_string();
    check.attempt(
        &mut table,
        "migrate --to (the same database)",
        &["migrate", "--from", &source, "--to", &to],
        Expect::Refused {
            then_as_writer: false,
        },
    )?;
    Ok(table)
}

/// What one attempt as the reader must show.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Refused: one `error:` line that names the workspace and says it is read-only for the
    /// login (or, for the commands that create a workspace, that one already exists), exit 1,
    /// nothing changed and no key file left; then, if asked, the writer's run must write.
    Refused { then_as_writer: bool },
    /// Works for the reader, exit 0, nothing changed.
    Works,
}

/// The workspace as its owner (to look behind the binary's back), the reader and the writer.
struct Check<'a> {
    tool: &'a Tool,
    owner: &'a PgUrl,
    reader: &'a PgUrl,
    writer: &'a PgUrl,
}

impl Check<'_> {
    fn attempt(
        &self,
        table: &mut Table,
        name: &str,
        args: &[&str],
        expect: Expect,
    ) -> anyhow::Result<()> {
        let tool = self.tool;
        let keys_before = listing(&tool.key_dir());
        let files_before = listing(&tool.work.join("team-read-only"));
        let before = shape(self.owner)?;
        let r = tool.run(&ws(self.reader), args)?;
        let after = shape(self.owner)?;
        let left_behind = listing(&tool.key_dir()) != keys_before
            || listing(&tool.work.join("team-read-only")) != files_before;
        let unchanged = before == after;
        let stderr = r.stderr.trim();
        let mut row = vec![name.to_owned()];
        match expect {
            Expect::Refused { then_as_writer } => {
                row.push("refused".into());
                row.push(exit_text(r.code));
                row.push(cell(stderr, 140));
                row.push(if unchanged {
                    "unchanged".into()
                } else {
                    format!("CHANGED: {before:?} → {after:?}")
                });
                let lower = stderr.to_lowercase();
                let says_why = lower.contains("read-only")
                    || lower.contains("permission")
                    || (!then_as_writer
                        && (lower.contains("already") || lower.contains("not empty")));
                if r.code != 1 || !one_error_line(stderr) || !says_why {
                    table.fail(format!(
                        "{name} as the reader: exit {}, stderr {stderr:?} (expected exit 1 and one line saying why)",
                        r.code
                    ));
                }
                if !stderr.contains(self.owner.database()) {
                    table.fail(format!(
                        "{name}: the message does not name the workspace: {stderr:?}"
                    ));
                }
                if !unchanged {
                    table.fail(format!("{name} as the reader changed the workspace"));
                }
                if left_behind {
                    table.fail(format!("{name} as the reader left a file behind"));
                }
                if then_as_writer {
                    let w = tool.run(&ws(self.writer), args)?;
                    let now = shape(self.owner)?;
                    let wrote = now.max_seq > after.max_seq || now.checkpoints > after.checkpoints;
                    row.push(if w.code == 0 && wrote {
                        "works, ledger grew".into()
                    } else {
                        format!("exit {}: {}", w.code, cell(&w.stderr, 100))
                    });
                    if w.code != 0 || !wrote {
                        table.fail(format!(
                            "{name} as the writer did not write (so the reader's refusal proves nothing): exit {}, {}",
                            w.code,
                            w.stderr.trim()
                        ));
                    }
                } else {
                    row.push("—".into());
                }
            }
            Expect::Works => {
                row.push("works".into());
                row.push(exit_text(r.code));
                row.push(if r.code == 0 {
                    String::new()
                } else {
                    cell(stderr, 140)
                });
                row.push(if unchanged {
                    "unchanged".into()
                } else {
                    "CHANGED".into()
                });
                row.push(String::new());
                if r.code != 0 {
                    table.fail(format!("{name} as the reader failed: {stderr}"));
                }
                if !unchanged {
                    table.fail(format!("{name} as the reader changed the workspace"));
                }
            }
        }
        table.row(row);
        Ok(())
    }
}

/// The files in `dir`, but for SQLite's `-wal`/`-shm` beside a workspace file, which opening
/// it to read creates (`migrate --from` reads a file workspace).
fn listing(dir: &Path) -> BTreeSet<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.to_string_lossy();
                    !name.ends_with("-wal") && !name.ends_with("-shm")
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_roles_sql_is_taken_from_the_docs_for_one_database() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let roles = roles_sql(&root, "evt_ro_1_2").unwrap();
        assert!(!roles.sql.contains("engagement"), "{}", roles.sql);
        assert!(roles.sql.contains("GRANT"), "{}", roles.sql);
        assert!(roles.reader.starts_with("evt_ro_1_2_"), "{}", roles.reader);
        assert!(roles.writer.starts_with("evt_ro_1_2_"), "{}", roles.writer);
        assert_ne!(roles.reader, roles.writer);
        assert!(roles.created.contains(&roles.reader) && roles.created.contains(&roles.writer));
        // Every role the SQL creates is dropped at the end, the group roles too.
        let creates = roles
            .sql
            .lines()
            .filter(|l| l.trim_start().starts_with("CREATE ROLE"))
            .count();
        assert_eq!(roles.created.len(), creates, "{:?}", roles.created);
        for group in ["evt_ro_1_2_reader", "evt_ro_1_2_writer"] {
            assert!(
                roles.created.iter().any(|r| r == group),
                "{:?}",
                roles.created
            );
        }
    }
}
