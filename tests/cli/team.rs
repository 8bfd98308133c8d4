//! Team workspaces on a real PostgreSQL server (`EVIDENTIA_TEST_PG_URL`, set by `make test`):
//! bad server input is one line naming the location and writes nothing, and the audit flow
//! gives the same evidence on a server as in a file. Each test has its own database.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::*;

const USER: &str = "auditor-1";
const GENERATED_AT: &str = "2026-07-01T09:00:00Z";

/// The test server, reached as its administrator; `None` (and a SKIPPED line) without the
/// variable, so `cargo test` passes on a machine with no server.
fn server() -> Option<Server> {
    match std::env::var("EVIDENTIA_TEST_PG_URL") {
        Ok(url) if !url.trim().is_empty() => Some(Server {
            admin: url.trim().to_owned(),
        }),
        _ => {
            println!("SKIPPED: EVIDENTIA_TEST_PG_URL is not set");
            None
        }
    }
}

struct Server {
    admin: String,
}

/// A `postgres://USER@HOST/DB` URL rebuilt with another role (and password) or database.
fn url_with(url: &str, user: Option<&str>, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a postgres:// URL");
    let (authority, _) = rest.split_once('/').unwrap_or((rest, ""));
    let (old_user, host) = authority.rsplit_once('@').unwrap_or(("", authority));
    let user = user.unwrap_or(old_user);
    if user.is_empty() {
        format!("{scheme}://{host}/{database}")
    } else {
        format!("{scheme}://{user}@{host}/{database}")
    }
}

impl Server {
    /// A fresh empty database, dropped when the returned value goes.
    fn database(&self, tag: &str) -> Db<'_> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "evt_cli_{tag}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        psql(&self.admin, &format!("CREATE DATABASE {name}"));
        Db {
            url: url_with(&self.admin, None, &name),
            name,
            server: self,
        }
    }
}

struct Db<'a> {
    name: String,
    url: String,
    server: &'a Server,
}

impl Drop for Db<'_> {
    fn drop(&mut self) {
        let _ = psql_result(
            &self.server.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// `psql` on `url`; its unaligned, tuples-only output, or its error.
fn psql_result(url: &str, sql: &str) -> Result<String, String> {
    let out = std::process::Command::new("psql")
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
        .env("PGCONNECT_TIMEOUT", "10")
        .stdin(Stdio::null())
        .output()
        .expect("running psql (Debian package postgresql-client)");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

#[track_caller]
fn psql(url: &str, sql: &str) -> String {
    psql_result(url, sql).unwrap_or_else(|e| panic!("psql {sql}: {e}"))
}

/// Runs `evidentia --workspace URL ARGS`.
fn run_at(url: &str, args: &[&str]) -> Run {
    let mut all = vec!["--workspace", url];
    all.extend_from_slice(args);
    run(&all)
}

/// Everything in the database's public schema: each table with its row count, so a refused
/// command that created, dropped or filled anything shows up.
fn schema(url: &str) -> BTreeMap<String, String> {
    let tables = psql(
        url,
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    tables
        .lines()
        .filter(|t| !t.is_empty())
        .map(|t| {
            let rows = psql(url, &format!("SELECT count(*) FROM \"{t}\""));
            (t.to_owned(), rows)
        })
        .collect()
}

/// The refusal contract on a server: exit 1, one `error:` line that names the location as
/// shown (no password) and never shows `secret`.
#[track_caller]
fn refused(url: &str, shown: &str, secret: Option<&str>, args: &[&str]) -> String {
    let run = run_at(url, args);
    run.expect_one_line_error();
    assert!(
        run.stderr.contains(shown),
        "the message must name {shown}: {run:#?}"
    );
    if let Some(secret) = secret {
        assert!(
            !run.stderr.contains(secret) && !run.stdout.contains(secret),
            "the password shows: {run:#?}"
        );
    }
    run.stderr
}

/// The commands every bad-input case is tried with: a read, an import, an analysis that
/// records, a checkpoint, and creating a workspace there.
fn attempts(csv: &Path) -> Vec<Vec<String>> {
    vec![
        vec!["verify".into()],
        vec![
            "import".into(),
            "--profile".into(),
            "provisioning-csv".into(),
            path_str(csv).into(),
        ],
        vec!["analyze".into()],
        vec!["checkpoint".into()],
    ]
}

fn args(a: &[String]) -> Vec<&str> {
    a.iter().map(String::as_str).collect()
}

#[test]
fn an_unreachable_server_is_one_line_and_no_panic() {
    // No server is needed: the socket directory does not exist.
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "grants.csv", provisioning_csv("u", 3));
    let socket = format!("%2Fnonexistent-evidentia-{}", std::process::id());
    let url = format!("postgres://alice:hunter2@{socket}/engagement");
    let shown = format!("postgres://alice@{socket}/engagement");
    for a in attempts(&csv) {
        refused(&url, &shown, Some("hunter2"), &args(&a));
    }
    refused(&url, &shown, Some("hunter2"), &["init"]);
    assert!(
        !Path::new(&format!("/nonexistent-evidentia-{}", std::process::id())).exists(),
        "nothing is created where the socket was looked for"
    );
}

#[test]
fn wrong_credentials_are_one_line_and_write_nothing() {
    let Some(server) = server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "grants.csv", provisioning_csv("c", 3));
    let db = server.database("creds");
    run_at(&db.url, &["--user", USER, "init", "--no-key"]).expect_code(0);
    let before = schema(&db.url);

    // A role the server does not know (the test clusters trust the socket, so a wrong
    // password alone would be accepted; an unknown role is refused whatever the password).
    let nobody = format!("evt_nobody_{}", std::process::id());
    let url = url_with(&db.url, Some(&format!("{nobody}:hunter2")), &db.name);
    let shown = url_with(&db.url, Some(&nobody), &db.name);
    for a in attempts(&csv) {
        refused(&url, &shown, Some("hunter2"), &args(&a));
    }
    refused(&url, &shown, Some("hunter2"), &["init"]);
    assert_eq!(
        schema(&db.url),
        before,
        "a refused login changed the workspace"
    );

    // A database the server does not have: refused, and not created.
    let missing = format!("evt_missing_{}", std::process::id());
    let url = url_with(&db.url, None, &missing);
    for a in attempts(&csv) {
        refused(&url, &url, None, &args(&a));
    }
    let exists = psql(
        &server.admin,
        &format!("SELECT count(*) FROM pg_database WHERE datname = '{missing}'"),
    );
    assert_eq!(exists, "0", "a refused command created the database");
}

/// A login that must give its password (members of the test cluster's
/// `evidentia_password_login` group authenticate with SCRAM even on the socket): a wrong
/// password is one line that names the login and never the password, and writes nothing; the
/// right one opens the workspace.
#[test]
fn a_wrong_password_is_one_line_and_the_right_one_opens() {
    let Some(server) = server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "grants.csv", provisioning_csv("p", 3));
    let db = server.database("password");
    run_at(&db.url, &["--user", USER, "init", "--no-key"]).expect_code(0);
    let before = schema(&db.url);
    let login = format!("evt_pw_{}", std::process::id());
    psql(
        &server.admin,
        &format!(
            "DROP ROLE IF EXISTS {login}; \
             CREATE ROLE {login} LOGIN PASSWORD 'right-horse' IN ROLE evidentia_password_login"
        ),
    );
    psql(
        &db.url,
        &format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {login}"),
    );

    let wrong = url_with(&db.url, Some(&format!("{login}:wrong-horse")), &db.name);
    let shown = url_with(&db.url, Some(&login), &db.name);
    for a in attempts(&csv) {
        let message = refused(&wrong, &shown, Some("wrong-horse"), &args(&a));
        assert!(message.contains("refused the login"), "{message}");
    }
    assert_eq!(
        schema(&db.url),
        before,
        "a refused login changed the workspace"
    );

    let right = url_with(&db.url, Some(&format!("{login}:right-horse")), &db.name);
    let verified = run_at(&right, &["verify"]);
    verified.expect_code(0);
    assert!(!verified.stdout.contains("right-horse"), "{verified:#?}");

    psql(&db.url, &format!("DROP OWNED BY {login}"));
    psql(&server.admin, &format!("DROP ROLE {login}"));
}

#[test]
fn a_database_of_another_program_is_not_a_workspace() {
    let Some(server) = server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "grants.csv", provisioning_csv("f", 3));
    let db = server.database("foreign");
    psql(
        &db.url,
        "CREATE TABLE invoices (id integer PRIMARY KEY, amount numeric); \
         INSERT INTO invoices VALUES (1, 9.50), (2, 120);",
    );
    let before = schema(&db.url);
    for a in attempts(&csv) {
        refused(&db.url, &db.url, None, &args(&a));
    }
    refused(&db.url, &db.url, None, &["init"]);
    assert_eq!(
        schema(&db.url),
        before,
        "nothing may be created in another program's database"
    );
    assert_eq!(psql(&db.url, "SELECT sum(amount) FROM invoices"), "129.50");
}

#[test]
fn a_newer_schema_is_refused_before_anything_runs() {
    let Some(server) = server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "grants.csv", provisioning_csv("n", 3));
    let db = server.database("newer");
    run_at(&db.url, &["--user", USER, "init", "--no-key"]).expect_code(0);
    // What a newer Evidentia's migration would leave: one more row in sqlx's table.
    psql(
        &db.url,
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99, 'from a newer evidentia', true, '\\x00', 0)",
    );
    let before = schema(&db.url);
    for a in attempts(&csv) {
        let stderr = refused(&db.url, &db.url, None, &args(&a));
        assert!(stderr.contains("newer"), "{stderr}");
    }
    assert_eq!(schema(&db.url), before, "a newer workspace was written to");
}

/// What the audit flow printed on one backend: the lines an auditor compares.
#[derive(Debug, PartialEq)]
struct Flow {
    imports: Vec<serde_json::Value>,
    analyze: serde_json::Value,
    findings: Vec<String>,
    report_pages: serde_json::Value,
    pack_files: serde_json::Value,
    pack_entries: serde_json::Value,
    /// (kind, payload hash) of every entry whose payload is the same wherever and whenever it
    /// is recorded (imports, records, artifacts, the policy): everything but the workspace's
    /// creation, its key, and the analysis's time.
    evidence: Vec<(String, String)>,
    recorded_by: Vec<String>,
}

/// The demo organisation's files in the demo's order with its profiles (evidentia-app demo.rs).
fn sample_imports() -> Vec<Vec<String>> {
    let samples = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../evidence-samples"
    ));
    let mut batches = Vec::new();
    for (folder, profile) in [
        ("hr", Some("hr-extract")),
        ("nhi", Some("nhi-catalog")),
        ("tickets", Some("ticket-export")),
        ("logs", None),
        ("reconciliation", Some("reconciliation-csv")),
        ("exceptions", Some("exceptions-register")),
        ("reviews", Some("access-review")),
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(samples.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            let profile = match (folder, profile) {
                ("logs", _) if file.extension().is_some_and(|e| e == "csv") => {
                    Some("provisioning-csv")
                }
                (_, p) => p,
            };
            let mut a = vec!["import".to_owned()];
            if let Some(p) = profile {
                a.extend(["--profile".to_owned(), p.to_owned()]);
            }
            a.push(path_str(&file).to_owned());
            batches.push(a);
        }
    }
    batches
}

/// init, every sample file, the policy, analyze, findings, the report, the pack and its
/// check, all as `--user auditor-1`, on the workspace at `ws` (a path or a URL).
fn audit_flow(ws: &str, out: &Path) -> Flow {
    let with_user = |a: &[&str]| {
        let mut all = vec!["--user", USER, "--workspace", ws, "--json"];
        all.extend_from_slice(a);
        run(&all)
    };
    with_user(&["init"]).expect_code(0);
    let mut imports = Vec::new();
    for a in sample_imports() {
        let r = with_user(&args(&a));
        r.expect_code(0);
        // The file's name differs by nothing between backends; its path is the same too.
        imports.extend(r.json().as_array().unwrap().iter().cloned());
    }
    let policy = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../evidence-samples/policy.toml"
    );
    with_user(&["policy", "set", policy]).expect_code(0);
    let analyze = with_user(&["analyze"]).expect_code(0).json();
    let mut findings: Vec<String> = with_user(&["findings"])
        .expect_code(0)
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect();
    findings.sort();
    let pdf = out.join("report.pdf");
    let report = with_user(&[
        "report",
        "--framework",
        "nist-csf-2.0",
        "--generated-at",
        GENERATED_AT,
        "--out",
        path_str(&pdf),
    ])
    .expect_code(0)
    .json();
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let zip = out.join("pack.zip");
    let pack = with_user(&[
        "pack",
        "--framework",
        "nist-csf-2.0",
        "--generated-at",
        GENERATED_AT,
        "--out",
        path_str(&zip),
    ])
    .expect_code(0)
    .json();
    let check = run(&["--json", "pack", "verify", path_str(&zip)])
        .expect_code(0)
        .json();
    assert_eq!(check["intact"], true, "{check:#}");
    let verify = run(&["--workspace", ws, "--json", "verify"])
        .expect_code(0)
        .json();
    assert_eq!(verify["intact"], true, "{verify:#}");
    let entries = run(&["--workspace", ws, "--json", "log", "--limit", "1000000"])
        .expect_code(0)
        .json_lines();
    let stable = |kind: &str| {
        kind == "import.file"
            || kind == "artifact.stored"
            || kind == "policy.set"
            || kind.starts_with("record.")
    };
    let evidence = entries
        .iter()
        .filter(|e| stable(e["kind"].as_str().unwrap()))
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_owned(),
                e["payload_hash"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let recorded_by = entries
        .iter()
        .filter(|e| {
            matches!(
                e["kind"].as_str(),
                Some("import.file" | "policy.set" | "analysis.run")
            )
        })
        .map(|e| {
            e["payload"]["recorded_by"]
                .as_str()
                .unwrap_or("(none)")
                .to_owned()
        })
        .collect();
    Flow {
        imports,
        analyze: serde_json::json!({
            "findings": analyze["findings"],
            "findings_by_check": analyze["findings_by_check"],
            "evidence_entries": analyze["evidence_entries"],
        }),
        findings,
        report_pages: report["pages"].clone(),
        pack_files: pack["files"].clone(),
        pack_entries: pack["checkpoint"]["entry_count"].clone(),
        evidence,
        recorded_by,
    }
}

#[test]
fn the_audit_flow_gives_the_same_evidence_on_a_server_as_in_a_file() {
    let Some(server) = server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file_ws = dir.path().join("team.evidentia");
    let file_out = dir.path().join("file");
    let pg_out = dir.path().join("pg");
    std::fs::create_dir_all(&file_out).unwrap();
    std::fs::create_dir_all(&pg_out).unwrap();
    let db = server.database("flow");

    let on_file = audit_flow(path_str(&file_ws), &file_out);
    let on_server = audit_flow(&db.url, &pg_out);
    assert!(!on_server.findings.is_empty());
    assert!(
        on_server.evidence.len() > 1000,
        "{}",
        on_server.evidence.len()
    );
    assert!(
        !on_server.recorded_by.is_empty() && on_server.recorded_by.iter().all(|u| u == USER),
        "every import, policy change and analysis names the acting user: {:?}",
        on_server.recorded_by
    );
    assert_eq!(on_server.imports, on_file.imports);
    assert_eq!(on_server.analyze, on_file.analyze);
    assert_eq!(on_server.findings, on_file.findings);
    assert_eq!(on_server.report_pages, on_file.report_pages);
    assert_eq!(
        (&on_server.pack_files, &on_server.pack_entries),
        (&on_file.pack_files, &on_file.pack_entries)
    );
    assert_eq!(
        on_server.evidence.len(),
        on_file.evidence.len(),
        "as many evidence entries on both backends"
    );
    assert!(
        on_server.evidence == on_file.evidence,
        "the evidence entries' payload hashes differ between the backends"
    );
}

/// `evidentia migrate` carries a workspace to the server and back entry for entry: the same
/// head, tree root and ledger export on all three.
#[test]
fn a_workspace_moved_to_the_server_and_back_keeps_its_head() {
    let Some(server) = server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file_ws = crate::export::demo_copy(dir.path());
    run_ws(&file_ws, &["--user", USER, "analyze"]).expect_code(0);
    run_ws(&file_ws, &["checkpoint"]).expect_code(0);
    let db = server.database("migrate");
    let back = dir.path().join("back.evidentia");
    run(&[
        "--json",
        "migrate",
        "--from",
        path_str(&file_ws),
        "--to",
        &db.url,
    ])
    .expect_code(0);
    run(&[
        "--json",
        "migrate",
        "--from",
        &db.url,
        "--to",
        path_str(&back),
    ])
    .expect_code(0);
    let heads: Vec<serde_json::Value> = [path_str(&file_ws), db.url.as_str(), path_str(&back)]
        .iter()
        .map(|ws| {
            let v = run(&["--workspace", ws, "--json", "verify"])
                .expect_code(0)
                .json();
            assert_eq!(v["intact"], true, "{ws}: {v:#}");
            serde_json::json!([
                v["entries"],
                v["head_hash"],
                v["tree_root"],
                v["checkpoints"],
                v["artifacts"],
                v["artifact_bytes"]
            ])
        })
        .collect();
    assert_eq!(heads[1], heads[0], "server and file differ");
    assert_eq!(heads[2], heads[0], "the file brought back differs");
    let export = |ws: &str| {
        let r = run(&["--workspace", ws, "--json", "log", "--limit", "1000000"]);
        r.expect_code(0);
        r.stdout
    };
    assert!(
        export(&db.url) == export(path_str(&file_ws)),
        "the ledger exports differ"
    );
    // Moving onto a workspace that exists is refused and changes nothing.
    let before = schema(&db.url);
    let refusal = run(&["migrate", "--from", path_str(&back), "--to", &db.url]);
    refusal.expect_one_line_error();
    assert_eq!(schema(&db.url), before);
}
