//! A writer killed in the middle of a large append leaves a workspace that verifies and holds
//! either none or all of that batch: a file, and a server whose client dies mid-transaction.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use evidentia_store::{Access, EvidenceStore, Workspace};

use crate::fixture::{Fixture, Kind};
use crate::*;

const CHILD_ENV: &str = "EVIDENTIA_CRASH_CHILD_WORKSPACE";
const BATCH: u64 = 200_000;

/// Runs in the child process: announces itself, then appends one large batch and commits.
#[tokio::test]
async fn crash_child() {
    let Ok(location) = std::env::var(CHILD_ENV) else {
        return;
    };
    let ws = Workspace::open(location.as_str(), Access::ReadWrite)
        .await
        .unwrap();
    println!("appending");
    let mut batch = ws.begin().await.unwrap();
    for i in 0..BATCH {
        batch
            .append("note", T0, format!("{{\"crash\":{i}}}").into_bytes())
            .await
            .unwrap();
    }
    batch.commit().await.unwrap();
    println!("committed");
}

async fn sigkill_during_a_large_append_keeps_all_or_nothing(kind: Kind) {
    let trials: u64 = std::env::var("EVIDENTIA_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let Some((fixture, ws)) = Fixture::new(kind).await else {
        return;
    };
    append_entries(&ws, 10).await;
    ws.close().await;
    let location = fixture.location();
    let child_location = match &location {
        evidentia_store::Location::File(path) => path.display().to_string(),
        evidentia_store::Location::Server(url) => url.secret_url().to_owned(),
    };
    let exe = std::env::current_exe().unwrap();
    let mut expected = 10u64;
    let mut killed_midway = 0;
    for trial in 0..trials {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash::crash_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &child_location)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Wait until the child is inside its transaction, then kill it at a varying moment.
        for line in lines.by_ref() {
            if line.unwrap().contains("appending") {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(20 + 97 * trial % 400));
        let _ = child.kill();
        let _ = child.wait();
        let report = verify_at(location.clone()).await;
        assert!(report.is_intact(), "trial {trial}: {:?}", report.failure);
        if report.entries == expected {
            killed_midway += 1;
        } else {
            assert_eq!(
                report.entries,
                expected + BATCH,
                "trial {trial}: partial batch"
            );
            expected += BATCH;
        }
    }
    assert!(
        killed_midway > 0,
        "no trial killed the child before it committed; the test proved nothing"
    );
}
crate::both!(sigkill_during_a_large_append_keeps_all_or_nothing);
